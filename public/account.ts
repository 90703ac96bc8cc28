import { ApiError, api, pageConfig } from './api.js';
import { confirmInline } from './confirm.js';
import { busy, byId, showOnly } from './dom.js';
import { type EmailPage, type MeEmail, openFromLink, showEmail, wireEmailFlows } from './email.js';
import { clearFieldErrors, clearOnEdit, missingFields, showFieldErrors } from './fields.js';
import { fill, revokeButton, type SessionView, sessionItem, type TokenView, tokenItem } from './lists.js';
import { loadMfa, wireMfa } from './mfa.js';
import { loadPasskeys, signInWithPasskey, wirePasskeys } from './passkeys.js';
import { endSecondStep, startSecondStep, wireSecondStep } from './second-step.js';
import { fail, say } from './status.js';
import { wireTokenForm } from './token-form.js';

/** GET /api/me/ */
interface Me extends MeEmail {
  username: string;
  is_staff: boolean;
  auth: string;
}

const SCHEME_NAMES: Record<string, string> = {
  session: 'a session cookie (this browser)',
  token: 'an API token',
  jwt: 'a JSON Web Token',
  basic: 'HTTP Basic',
};

const sections = {
  loading: byId('loading'),
  signin: byId('signin'),
  signup: byId('signup'),
  forgot: byId('forgot'),
  reset: byId('reset'),
  account: byId('account'),
};
const all = Object.values(sections);

/** Shows a section and moves keyboard focus to its heading, so screen readers follow. */
function show(section: HTMLElement): void {
  showOnly(section, all);
  section.querySelector<HTMLElement>('h1')?.focus();
}

/**
 * Runs an action; a signed-out answer (revoked elsewhere, expired) leads back to sign-in, field
 * errors go beside the fields of `form`, anything else to the status region.
 */
async function attempt(action: () => Promise<void>, form?: HTMLFormElement): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof ApiError && err.signedOut) {
      showSignin('You have been signed out (this session ended or was revoked). Please sign in again.');
      return;
    }
    if (form && err instanceof ApiError && Object.keys(err.fields).length) {
      const rest = showFieldErrors(form, err.fields);
      if (rest.length) say(rest.join(' '), 'error');
      else say('');
      return;
    }
    fail(err);
  }
}

function showSignin(message?: string): void {
  const form = byId<HTMLFormElement>('signin-form');
  form.reset();
  clearFieldErrors(form);
  form.hidden = false;
  endSecondStep();
  byId('signup-link').hidden = !pageConfig().signup;
  show(sections.signin);
  if (message) say(message, 'error');
}

async function loadAccount(): Promise<void> {
  const me = await api<Me>('GET', '/api/me/');
  byId('me-username').textContent = me.username;
  byId('me-scheme').textContent = SCHEME_NAMES[me.auth] ?? me.auth;
  byId('me-staff').hidden = !me.is_staff;
  showEmail(me);
  const passkeys = pageConfig().passkeys;
  byId('passkeys-card').hidden = !passkeys;
  await Promise.all([loadSessions(), loadTokens(), loadMfa(), passkeys ? loadPasskeys() : null]);
  if (sections.account.hidden) show(sections.account);
}

async function loadSessions(): Promise<void> {
  const rows = await api<SessionView[]>('GET', '/api/auth/sessions/');
  fill(
    byId('sessions'),
    rows.map((s) => sessionItem(s, sessionRevoke(s))),
    'No sessions.',
  );
}

function sessionRevoke(s: SessionView): HTMLButtonElement {
  const label = s.current ? 'Sign out this device' : `Revoke the session on ${s.device}`;
  const button = revokeButton(label, s.current ? 'Sign out' : 'Revoke');
  button.addEventListener('click', async () => {
    const question = s.current ? 'Sign out this device?' : `Revoke ${s.device}?`;
    if (!(await confirmInline(button, { question, yes: s.current ? 'Sign out' : 'Revoke' }))) return;
    await attempt(async () => {
      await busy(button, () => api('DELETE', `/api/auth/sessions/${encodeURIComponent(s.id)}/`));
      if (s.current) {
        showSignin();
        say('Signed out.');
        return;
      }
      // The list changes first, then the announcement: what the status says is already on screen.
      await loadSessions();
      say(`Session revoked: ${s.device} is signed out.`);
      byId('sessions-title').focus();
    });
  });
  return button;
}

/** Reloads the token list (also after one was created). */
export async function loadTokens(): Promise<void> {
  const rows = await api<TokenView[]>('GET', '/api/auth/tokens/');
  fill(
    byId('tokens'),
    rows.map((t) => tokenItem(t, tokenRevoke(t))),
    'No tokens yet.',
  );
}

function tokenRevoke(t: TokenView): HTMLButtonElement {
  const button = revokeButton(`Revoke token ${t.name}`);
  button.addEventListener('click', async () => {
    if (!(await confirmInline(button, { question: `Revoke “${t.name}”?`, yes: 'Revoke' }))) return;
    await attempt(async () => {
      await busy(button, () => api('DELETE', `/api/auth/tokens/${encodeURIComponent(t.id)}/`));
      await loadTokens();
      say(`Token “${t.name}” revoked.`);
      byId('tokens-title').focus();
    });
  });
  return button;
}

async function signIn(username: string, password: string): Promise<void> {
  // The login is CSRF-protected: make sure the browser holds the csrftoken cookie first.
  await api('GET', '/api/auth/csrf/');
  try {
    await api('POST', '/api/auth/login/', { username, password });
  } catch (err) {
    // The password was right for a user with a second factor: nothing is signed in until it is shown.
    if (startSecondStep(err)) return;
    throw err;
  }
  say('');
  await loadAccount();
}

/** Checks the required fields, then submits; errors land beside their fields. */
function onSubmit(form: HTMLFormElement, send: (data: FormData) => Promise<void>): void {
  clearOnEdit(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const missing = missingFields(form);
    if (Object.keys(missing).length) {
      showFieldErrors(form, missing);
      say('');
      return;
    }
    clearFieldErrors(form);
    const data = new FormData(form);
    void attempt(() => busy(form, () => send(data)), form);
  });
}

function wireSignInAndUp(): void {
  onSubmit(byId<HTMLFormElement>('signin-form'), (data) =>
    signIn(String(data.get('username')), String(data.get('password'))),
  );
  wireSecondStep({ onSubmit, attempt, showSignin, signedIn: loadAccount });
  onSubmit(byId<HTMLFormElement>('signup-form'), async (data) => {
    const username = String(data.get('username'));
    const password = String(data.get('password'));
    const email = String(data.get('email') ?? '');
    await api('POST', '/api/auth/register/', { username, password, ...(email ? { email } : {}) });
    await signIn(username, password);
  });
  const passkey = byId<HTMLButtonElement>('passkey-signin');
  passkey.hidden = !pageConfig().passkeys;
  passkey.addEventListener('click', () =>
    attempt(async () => {
      await busy(passkey, signInWithPasskey);
      say('');
      await loadAccount();
    }),
  );
  byId('show-signup').addEventListener('click', () => {
    say('');
    show(sections.signup);
  });
  byId('show-signin').addEventListener('click', () => {
    say('');
    showSignin();
  });
}

function wireLogout(): void {
  const logout = byId<HTMLButtonElement>('logout');
  logout.addEventListener('click', () =>
    attempt(async () => {
      await busy(logout, () => api('POST', '/api/auth/logout/'));
      showSignin();
      say('Signed out.');
    }),
  );
  const logoutAll = byId<HTMLButtonElement>('logout-all');
  logoutAll.addEventListener('click', async () => {
    const question = 'Sign out every browser and device, and revoke all your API tokens?';
    if (!(await confirmInline(logoutAll, { question, yes: 'Log out everywhere' }))) return;
    await attempt(async () => {
      await busy(logoutAll, () => api('POST', '/api/auth/logout-all/'));
      showSignin();
      say('Signed out everywhere: every session and API token has ended.');
    });
  });
}

async function start(): Promise<void> {
  const emailPage: EmailPage = { onSubmit, show, showSignin, attempt };
  wireSignInAndUp();
  wireLogout();
  wireTokenForm({ onSubmit, loadTokens });
  wireEmailFlows(emailPage);
  wireMfa(onSubmit);
  wirePasskeys(onSubmit);
  try {
    await api('GET', '/api/auth/csrf/');
    if (await openFromLink(emailPage)) return;
    await loadAccount();
  } catch (err) {
    showSignin();
    if (!(err instanceof ApiError && err.signedOut)) fail(err);
  }
}

void start();
