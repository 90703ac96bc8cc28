/** One mail as the flows write it: plain text with the link, and the same as HTML. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Where mails go: SMTP through nodemailer, or the development outbox folder. */
export interface MailTransport {
  /** What it is, for logs and `gatehouse sendtestemail`: `smtp://mail.example.com:587`, an outbox path. */
  readonly description: string;
  /** Delivers one mail; resolves to where it went (a message id, a file), rejects on failure. */
  deliver(message: MailMessage & { readonly from: string }): Promise<string>;
  close(): void;
}

/**
 * Sends mail off the request path: `send` returns at once, a failed delivery is logged and
 * retried a bounded number of times, and nothing about it ever reaches the caller's answer.
 */
export interface Mailer {
  readonly transport: MailTransport;
  /** Queues one mail; `kind` names it in the log (never its link). */
  send(message: MailMessage, kind: string): void;
  /** Delivers one mail now, for `gatehouse sendtestemail`: rejects with the transport's error. */
  deliverNow(message: MailMessage): Promise<string>;
  /** Resolves when every queued mail has been delivered or given up (tests). */
  idle(): Promise<void>;
  /**
   * At shutdown: every queued mail is tried now (a retry waiting out its pause goes at once), for
   * up to `timeoutMs`; each one still undelivered then is logged as not sent, and the transport
   * closes. Resolves to how many were not delivered. Call it once nothing more will be sent.
   */
  drain(timeoutMs: number): Promise<number>;
}
