import { api, pageConfig } from './api.js';
import { busy, byId } from './dom.js';
import { say } from './status.js';

type OnSubmit = (form: HTMLFormElement, send: (data: FormData) => Promise<void>) => void;

/** What the mail parts of the page need from the page around them. */
export interface EmailPage {
  onSubmit: OnSubmit;
  show(section: HTMLElement): void;
  showSignin(message?: string): void;
  attempt(action: () => Promise<void>): Promise<void>;
}

/** The signed-in user's address, as GET /api/me/ gives it. */
export interface MeEmail {
  email: string;
  email_verified: boolean;
}

/** The uid and token of a mail's link, when the page was opened from one. */
function linkParams(): { uid: string; token: string } | null {
  const query = new URLSearchParams(location.search);
  const uid = query.get('uid');
  const token = query.get('token');
  return uid && token ? { uid, token } : null;
}

/** Leaves the link's address: its token is a credential, not for the history or a bookmark. */
function forgetLink(): void {
  history.replaceState(null, '', '/');
}

/** Forgot password, the reset page, the unverified banner and the email-change form. */
export function wireEmailFlows(page: EmailPage): void {
  byId('forgot-link').hidden = !pageConfig().mail;
  byId('show-forgot').addEventListener('click', () => {
    say('');
    page.show(byId('forgot'));
  });
  byId('forgot-back').addEventListener('click', () => {
    say('');
    page.showSignin();
  });
  page.onSubmit(byId<HTMLFormElement>('forgot-form'), async (data) => {
    await api('POST', '/api/auth/password/reset/', { email: String(data.get('email')) });
    page.showSignin();
    say('If an account has this address, a mail with a link to choose a new password is on its way.');
  });
  page.onSubmit(byId<HTMLFormElement>('reset-form'), async (data) => {
    const link = linkParams();
    await api('POST', '/api/auth/password/reset/confirm/', {
      ...link,
      new_password: String(data.get('new_password')),
    });
    forgetLink();
    page.showSignin();
    say('Your password is set. Sign in with it.');
  });
  const emailForm = byId<HTMLFormElement>('email-form');
  page.onSubmit(emailForm, async (data) => {
    const email = String(data.get('email'));
    await api('POST', '/api/auth/email/change/', { email, password: String(data.get('password')) });
    emailForm.reset();
    say(`A mail with a link that confirms ${email} is on its way to it.`);
  });
  const resend = byId<HTMLButtonElement>('resend-verification');
  resend.addEventListener('click', () =>
    page.attempt(async () => {
      const email = byId('verify-address').textContent ?? '';
      await busy(resend, () => api('POST', '/api/auth/email/verify/resend/', { email }));
      say(`A new link is on its way to ${email}.`);
    }),
  );
}

/** The account's address, the banner while it is unverified, and the change form. */
export function showEmail(me: MeEmail): void {
  const mail = pageConfig().mail;
  byId('verify-address').textContent = me.email;
  byId('verify-banner').hidden = !mail || me.email === '' || me.email_verified;
  byId('me-email').textContent = me.email || 'not set';
  byId('email-card').hidden = !mail;
}

/**
 * When the page was opened from a mail's link: a reset link shows the reset form (true: nothing
 * else to load); a verification or email-change link is followed here and the page goes on.
 */
export async function openFromLink(page: EmailPage): Promise<boolean> {
  const link = linkParams();
  const { resetPath, verifyPath } = pageConfig();
  if (!link) return false;
  if (location.pathname === resetPath) {
    page.show(byId('reset'));
    return true;
  }
  if (location.pathname === verifyPath) {
    forgetLink();
    await api('POST', '/api/auth/email/verify/', link);
    say('Your email address is verified.');
  }
  return false;
}
