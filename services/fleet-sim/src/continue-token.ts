/**
 * ContinueToken is the decoded `continue` parameter of a paginated LIST: the revision of the list's
 * snapshot and the key to resume after. Encoded like the API server's token (base64 JSON with
 * `v`, `rv`, `start`) so it is equally opaque to clients.
 */
export interface ContinueToken {
  readonly revision: number;
  /** The last key returned; the next page starts strictly after it. */
  readonly after: string;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

/** encodeContinue turns a position into the opaque `continue` string. */
export function encodeContinue(token: ContinueToken): string {
  // The API server stores "start" as the next key to read: the last key plus a NUL byte.
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: token.revision, start: `${token.after}\u0000` });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** decodeContinue parses a `continue` string, or returns undefined when it is not one of ours. */
export function decodeContinue(value: string): ContinueToken | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
    if (v !== TOKEN_VERSION || typeof rv !== 'number' || !Number.isInteger(rv) || rv < 0) return undefined;
    if (typeof start !== 'string' || !start.endsWith('\u0000')) return undefined;
    return { revision: rv, after: start.slice(0, -1) };
  } catch {
    return undefined;
  }
}
