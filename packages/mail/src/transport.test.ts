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
  it('writes the message, link and all, to the log at info level', async () => {
    const lines: Array<{ details: object; message: string }> = [];
    await logTransport({ info: (details, text) => lines.push({ details, message: text }) }, 'T <t@x>').send(message);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.details).toMatchObject({ event: 'mail_logged', to: 'ada@example.com', text: 'plain words' });
  });
});
