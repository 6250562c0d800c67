import { createServer } from 'node:net';

/**
 * freePort asks the kernel for an unused TCP port on 127.0.0.1 and releases it. Another process
 * could take it before the caller binds it; on a developer machine that race is rare enough.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
