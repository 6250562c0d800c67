import { describe, expect, it } from 'vitest';
import { routeOf } from './route.ts';

const at = (method: string, path: string) => routeOf(method, new URL(path, 'http://sim'));

describe('routeOf', () => {
  it('routes discovery and health', () => {
    expect(at('GET', '/apis')).toMatchObject({ type: 'discovery', path: 'apis' });
    expect(at('GET', '/apis/kubedb.com/v1/')).toMatchObject({ type: 'discovery', path: 'group-version' });
    expect(at('GET', '/api/v1/namespaces/team-a')).toMatchObject({
      type: 'discovery',
      path: 'namespace',
      name: 'team-a',
    });
    expect(at('GET', '/healthz')).toEqual({ type: 'health' });
    expect(at('POST', '/version').type).toBe('method-not-allowed');
  });

  it('routes collections, objects and the status subresource with their verbs', () => {
    expect(at('GET', '/apis/kubedb.com/v1/mongodbs')).toMatchObject({
      verb: 'list',
      namespace: undefined,
      name: undefined,
    });
    expect(at('GET', '/apis/kubedb.com/v1/mongodbs?watch=1')).toMatchObject({ verb: 'watch' });
    expect(at('GET', '/apis/kubedb.com/v1/namespaces/a/redises?watch=true')).toMatchObject({
      verb: 'watch',
      namespace: 'a',
    });
    expect(at('POST', '/apis/kubedb.com/v1/namespaces/a/postgreses')).toMatchObject({ verb: 'create' });
    expect(at('PUT', '/apis/kubedb.com/v1/namespaces/a/mysqls/x')).toMatchObject({
      verb: 'update',
      name: 'x',
    });
    expect(at('PATCH', '/apis/kubedb.com/v1/namespaces/a/mysqls/x/status')).toMatchObject({
      verb: 'patch',
      subresource: 'status',
    });
    expect(at('DELETE', '/apis/kubedb.com/v1/namespaces/a/mysqls/x')).toMatchObject({ verb: 'delete' });
    expect(at('GET', '/apis/kubedb.com/v1/namespaces/a/mysqls/x')).toMatchObject({
      verb: 'get',
      kind: { kind: 'MySQL' },
    });
  });

  it('rejects unknown kinds, paths and methods', () => {
    expect(at('GET', '/apis/kubedb.com/v1/elasticsearches').type).toBe('not-found');
    expect(at('GET', '/apis/apps/v1/deployments').type).toBe('not-found');
    expect(at('DELETE', '/apis/kubedb.com/v1/namespaces/a/mysqls').type).toBe('method-not-allowed');
    expect(at('DELETE', '/apis/kubedb.com/v1/namespaces/a/mysqls/x/status').type).toBe('method-not-allowed');
  });
});
