import { describe, expect, it } from 'vitest';
import { censored, scrubText, scrubValue } from './scrub.ts';

describe('scrubText', () => {
  it.each([
    ['mongodb://user:pass@host:27017/db', 'mongodb://user:***@host:27017/db'],
    ['mongodb+srv://user:pass@cluster0.example.net', 'mongodb+srv://user:***@cluster0.example.net'],
    ['mongodb://user:p@ss/w0rd@host/db', 'mongodb://user:***@host/db'],
    ['mongodb://host:27017/db', 'mongodb://host:27017/db'],
    ['https://api.example:6443/apis', 'https://api.example:6443/apis'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: Bearer [REDACTED]'],
    ['basic dXNlcjpwYXNz', 'basic [REDACTED]'],
    ['password=hunter2&user=x', 'password=[REDACTED]&user=x'],
    ['{"token":"abc"}', '{"token":"[REDACTED]"}'],
    ['x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln y', 'x [REDACTED] y'],
    ['data LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo= end', 'data [REDACTED] end'],
    [
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      '-----BEGIN CERTIFICATE----- [REDACTED] -----END CERTIFICATE-----',
    ],
    [
      '-----BEGIN PRIVATE KEY-----\nMIIB truncated',
      '-----BEGIN PRIVATE KEY----- [REDACTED] -----END PRIVATE KEY-----',
    ],
    ['plain text about replicas=3', 'plain text about replicas=3'],
  ])('%j → %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('scrubValue', () => {
  it('censors secret keys at any depth and leaves the input untouched', () => {
    const input = { a: [{ b: { clientSecret: 'x', 'client-key-data': 'y', replicas: 3 } }] };
    expect(scrubValue(input)).toEqual({
      a: [{ b: { clientSecret: censored, 'client-key-data': censored, replicas: 3 } }],
    });
    expect(input.a[0]?.b.clientSecret).toBe('x');
  });

  it('turns errors into scrubbed plain objects with their cause and own props', () => {
    const error = Object.assign(new Error('mongodb://u:pw@h', { cause: new RangeError('token=abc') }), {
      code: 'E1',
    });
    const out = scrubValue(error) as Record<string, unknown>;
    expect(out).toMatchObject({ type: 'Error', message: 'mongodb://u:***@h', code: 'E1' });
    expect(out['cause']).toMatchObject({ type: 'RangeError', message: 'token=[REDACTED]' });
  });

  it('survives cycles, bytes, maps and deep nesting', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic['self'] = cyclic;
    expect(scrubValue(cyclic)).toEqual({ name: 'x', self: '[Circular]' });
    expect(scrubValue(new Uint8Array(4))).toBe('[4 bytes]');
    expect(scrubValue(new Map([['password', 'x']]))).toEqual({ password: censored });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i += 1) deep = { next: deep };
    expect(JSON.stringify(scrubValue(deep))).toContain('[Truncated]');
  });

  it('keeps a repeated (non-cyclic) reference', () => {
    const shared = { v: 1 };
    expect(scrubValue({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});
