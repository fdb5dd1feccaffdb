import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

/**
 * `count` distinct free ports. Only for programs that cannot listen on port 0 and say which port they got
 * (redis-server, the demo's fixed layout); a gateway takes PORT=0 (see gateway-process.ts).
 */
export async function freePorts(count: number): Promise<number[]> {
  const found = new Set<number>();
  for (let i = 0; i < count * 10 && found.size < count; i += 1) found.add(await freePort());
  if (found.size < count) throw new Error(`could not find ${count} distinct free ports`);
  return [...found];
}
