import { afterEach, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from './testing/smtp-sink';
import { logTransport, smtpTransport } from './transport';

let sink: SmtpSink | undefined;
afterEach(async () => {
  await sink?.close();
});

const message = { to: 'ada@example.com', subject: 'Hello', text: 'plain words', html: '<p>rich words</p>' };

describe('smtpTransport', () => {
  it('delivers both parts to a real SMTP server, from MAIL_FROM', async () => {
    sink = await startSmtpSink();
    const transport = smtpTransport(sink.url, 'Tessera <no-reply@example.com>');
    await transport.send(message);
    transport.close();
    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toBe('Hello');
    expect(mail?.from?.value).toEqual([{ name: 'Tessera', address: 'no-reply@example.com' }]);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe('ada@example.com');
    expect(mail?.text?.trim()).toBe('plain words');
    expect(mail?.html).toContain('<p>rich words</p>');
  });

  it('rejects when the server is down, so the outbox keeps the message', async () => {
    sink = await startSmtpSink();
    await sink.down();
    const transport = smtpTransport(sink.url, 'Tessera <no-reply@example.com>');
    await expect(transport.send(message)).rejects.toThrow(/ECONNREFUSED/);
    transport.close();
  });
});

describe('logTransport', () => {
  type Line = { level: 'info' | 'warn'; details: object; message: string };
  const recorder = (lines: Line[]) => ({
    info: (details: object, message: string) => lines.push({ level: 'info', details, message }),
    warn: (details: object, message: string) => lines.push({ level: 'warn', details, message }),
  });

  it('writes the message, link and all, to the log at info level', async () => {
    const lines: Line[] = [];
    await logTransport(recorder(lines), 'T <t@x>').send(message);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info' });
    expect(lines[0]?.details).toMatchObject({ event: 'mail_logged', to: 'ada@example.com', text: 'plain words' });
  });

  /** @see issue 20, finding 6: reset links sat in a production log at info level. */
  it('with warn, warns once on creation and with every message', async () => {
    const lines: Line[] = [];
    const transport = logTransport(recorder(lines), 'T <t@x>', { warn: true });
    expect(lines).toMatchObject([{ level: 'warn', details: { event: 'mail_transport_log' } }]);
    await transport.send(message);
    await transport.send(message);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'warn', 'warn']);
    expect(lines[2]?.details).toMatchObject({ event: 'mail_logged', text: 'plain words' });
    expect(lines[2]?.message).toContain('MAIL_TRANSPORT=log');
  });
});
