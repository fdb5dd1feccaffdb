import { createServer } from 'node:net';

/** Resolves when nothing listens on 127.0.0.1:port, rejects with a readable error otherwise. */
export function assertPortFree(port: number, flagHint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${port} is already in use (${flagHint})` : error.message)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}
