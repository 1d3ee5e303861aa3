import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** Where to connect instead of the target, e.g. 127.0.0.1:40123. */
  port: number;
  /** Cuts every connection and refuses new ones, as a database server going down does. */
  down(): Promise<void>;
  /** Accepts connections again, on the same port, as the database server back up. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay to `target` that a test can take down and bring back: PostgreSQL restarting, as
 * its clients see it (connections reset, then refused, then accepted), without touching the
 * PostgreSQL server other tests share.
 *
 * @example
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * await proxy.down(); // ECONNRESET for open connections, ECONNREFUSED for new ones
 * await proxy.up();
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        port = typeof address === 'object' && address ? address.port : 0;
        server = next;
        resolve();
      });
    });
  const down = async () => {
    const closing = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return { port, down, up: listen, close: down };
}
