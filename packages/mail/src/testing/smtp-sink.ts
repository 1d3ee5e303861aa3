import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Every message received so far, parsed. */
  received: ParsedMail[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Refuses connections from now on (the SMTP server down), keeping the port. */
  down(): Promise<void>;
  /** Accepts them again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real SMTP server on a loopback port that keeps what it receives, for tests: the mail path is
 * exercised end to end, and a test can take it down and bring it back.
 *
 * @example
 * const sink = await startSmtpSink();
 * const [mail] = await sink.waitFor(1);
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ParsedMail[] = [];
  const waiters: Array<() => void> = [];
  let port = 0;
  let server: SMTPServer | null = null;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onData(stream, _session, callback) {
          simpleParser(stream)
            .then((mail) => {
              received.push(mail);
              for (const wake of waiters.splice(0)) wake();
              callback();
            })
            .catch(callback);
        },
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.server.address();
        port = typeof address === 'object' && address ? address.port : 0;
        server = next;
        resolve();
      });
    });
  const down = async () => {
    const closing = server;
    server = null;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await listen();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} mail(s), got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    down,
    up: listen,
    close: down,
  };
}
