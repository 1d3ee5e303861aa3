import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** Where to connect instead of the target, e.g. 127.0.0.1:40123. */
  port: number;
  /** Cuts every connection and refuses new ones, as a database server going down does. */
  down(): Promise<void>;
  /** Accepts connections again, on the same port, as the database server back up. */
  up(): Promise<void>;
  /**
   * Stops carrying bytes, both ways, on the open connections whose client's first packet
   * contains `marker` (a PostgreSQL client's startup packet holds its `application_name`) and,
   * with `andNew`, on such connections opened later: a network path gone silent, with no reset
   * and no error, until `thaw()` delivers what was held.
   */
  freeze(marker: string, options?: { andNew?: boolean }): void;
  /** Carries bytes again on every frozen connection, what was held first; new ones stay free. */
  thaw(): void;
  close(): Promise<void>;
}

/** One relayed connection; `held` keeps, in order, what a frozen path has not delivered. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** The client's first packet, as latin1 text, once it has come. */
  opening: string | null;
  frozen: boolean;
  held: Array<{ to: Socket; chunk: Buffer }>;
}

/**
 * A TCP relay to `target` that a test can take down and bring back: PostgreSQL restarting, as
 * its clients see it (connections reset, then refused, then accepted), without touching the
 * PostgreSQL server other tests share. It can also freeze chosen connections (`freeze`): a
 * network path that stops delivering without failing, which only a client's own timeout notices.
 *
 * @example
 * const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
 * await proxy.down(); // ECONNRESET for open connections, ECONNREFUSED for new ones
 * await proxy.up();
 * proxy.freeze('tessera revocation listener'); // that client's queries go unanswered
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let server: Server | null = null;
  let port = 0;
  let freezingNew: string | null = null;

  const carry = (link: Link, to: Socket, chunk: Buffer) => {
    if (link.frozen) link.held.push({ to, chunk });
    else to.write(chunk);
  };
  const relay = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    const link: Link = { client, upstream, opening: null, frozen: false, held: [] };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (link.opening === null) {
        link.opening = chunk.toString('latin1');
        if (freezingNew !== null && link.opening.includes(freezingNew)) link.frozen = true;
      }
      carry(link, upstream, chunk);
    });
    upstream.on('data', (chunk: Buffer) => carry(link, client, chunk));
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      // Either side closing closes the other (a frozen path still notices its own client leave).
      socket.on('close', () => {
        links.delete(link);
        client.destroy();
        upstream.destroy();
      });
    }
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(relay);
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
    for (const link of links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return {
    port,
    down,
    up: listen,
    freeze(marker, options = {}) {
      for (const link of links) if (link.opening?.includes(marker)) link.frozen = true;
      if (options.andNew) freezingNew = marker;
    },
    thaw() {
      freezingNew = null;
      for (const link of links) {
        link.frozen = false;
        for (const { to, chunk } of link.held.splice(0)) to.write(chunk);
      }
    },
    close: down,
  };
}
