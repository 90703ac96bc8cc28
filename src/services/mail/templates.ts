/** What a template gets: who it is for and the link to follow (never the user's record). */
export interface MailTemplateInput {
  readonly username: string;
  /** The link with `uid` and `token`, or null for a mail without one (the change notice, the test). */
  readonly link: string | null;
  /** How long the link works, in words: "1 hour", "3 days". */
  readonly validFor: string;
  /** The address an email change moves to (change and notice mails). */
  readonly newEmail?: string;
}

/** A mail's parts; `text` carries the link once, `html` is the same with markup. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type MailTemplate = (input: MailTemplateInput) => RenderedMail;

/** One template per mail the flows send; override any of them in `createGatehouse({ mailTemplates })`. */
export interface MailTemplates {
  readonly passwordReset: MailTemplate;
  readonly verifyEmail: MailTemplate;
  /** To the new address of an email change: the link that confirms it. */
  readonly changeEmail: MailTemplate;
  /** To the old address of an email change: a notice, no link. */
  readonly changeNotice: MailTemplate;
  /** `gatehouse sendtestemail`. */
  readonly test: MailTemplate;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** For every value put into a template's HTML: a username is the user's own text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function mail(subject: string, lines: string[], link: string | null): RenderedMail {
  const text = [...lines, ...(link ? ['', link] : []), ''].join('\n');
  const paragraphs = lines.filter(Boolean).map((l) => `<p>${escapeHtml(l)}</p>`);
  if (link) paragraphs.push(`<p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>`);
  return { subject, text, html: `<!doctype html><html><body>${paragraphs.join('')}</body></html>` };
}

/** The wording gatehouse sends unless an app gives its own. */
export const DEFAULT_MAIL_TEMPLATES: MailTemplates = {
  passwordReset: ({ username, link, validFor }) =>
    mail(
      'Reset your password',
      [
        `Hello ${username},`,
        '',
        `Someone asked to reset the password of your account. If it was you, follow this link within ${validFor} to choose a new one:`,
      ],
      link,
    ),
  verifyEmail: ({ username, link, validFor }) =>
    mail(
      'Confirm your email address',
      [
        `Hello ${username},`,
        '',
        `Follow this link within ${validFor} to confirm that this address is yours:`,
      ],
      link,
    ),
  changeEmail: ({ username, link, validFor }) =>
    mail(
      'Confirm your new email address',
      [
        `Hello ${username},`,
        '',
        `Follow this link within ${validFor} to make this address the one of your account:`,
      ],
      link,
    ),
  changeNotice: ({ username, newEmail }) =>
    mail(
      'Your email address is being changed',
      [
        `Hello ${username},`,
        '',
        `Someone signed in to your account asked to change its email address to ${newEmail}. It changes once that address is confirmed.`,
        'If it was not you, change your password now: that also cancels the change.',
      ],
      null,
    ),
  test: () => mail('gatehouse test mail', ['This is a test mail from gatehouse: mail delivery works.'], null),
};
