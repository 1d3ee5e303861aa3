import type { SmtpSink } from '@tessera/mail/testing';

type ParsedMail = SmtpSink['received'][number];

/** Who a mail went to, as its `To:` header reads. */
const recipients = (mail: ParsedMail) => [mail.to ?? []].flat().map((address) => address.text);

/**
 * The first mail to `to` with `subject` the sink has received, waiting for it to arrive (the
 * server sends after answering). Rejects when none has come within the sink's wait.
 *
 * @example
 * const mail = await mailTo(sink, 'ada@example.com', 'Confirm your email address');
 */
export async function mailTo(sink: SmtpSink, to: string, subject: string): Promise<ParsedMail> {
  for (let count = 1; ; count++) {
    const mail = (await sink.waitFor(count)).find(
      (received) => received.subject === subject && recipients(received).includes(to),
    );
    if (mail !== undefined) return mail;
  }
}

/**
 * The link to the app's `path` in that mail (`https://…/path#token=…`), waiting for the mail.
 *
 * @example
 * await page.goto(await mailedLink(sink, 'ada@example.com', 'Confirm your email address', '/verify-email'));
 */
export async function mailedLink(sink: SmtpSink, to: string, subject: string, path: string): Promise<string> {
  const mail = await mailTo(sink, to, subject);
  const link = new RegExp(`https?://\\S+${path}#token=[\\w-]+`).exec(mail.text ?? '')?.[0];
  if (link === undefined) throw new Error(`The mail "${subject}" to ${to} has no ${path} link.`);
  return link;
}
