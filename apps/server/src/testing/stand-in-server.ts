import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a stand-in answers a request with. */
export interface StandInAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A JSON answer, as the providers' APIs give them. */
export const jsonAnswer = (body: unknown, status = 200): StandInAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** A request's body, read whole (the stand-ins' token endpoints take small forms). */
export async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

/**
 * An HTTP server on 127.0.0.1 for a provider's stand-in: `answer` gets each request and the
 * server's own origin (a stand-in's URLs point back to itself); a throw answers 500.
 *
 * @example
 * const { origin, close } = await serveStandIn(async (request, origin) => jsonAnswer({ issuer: origin }));
 */
export async function serveStandIn(answer: (request: IncomingMessage, origin: string) => Promise<StandInAnswer>) {
  let origin = '';
  const server = createServer((request, response) => {
    void answer(request, origin).then(
      ({ status, headers, body }) => {
        response.writeHead(status, headers);
        response.end(body);
      },
      () => {
        response.writeHead(500);
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
