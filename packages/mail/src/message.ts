/** One mail, as it is queued and sent: a plain-text and an HTML part, always both. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}
