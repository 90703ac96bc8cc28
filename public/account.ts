import { ApiError, api, pageConfig } from './api.js';
import { busy, byId, el, showOnly, when } from './dom.js';

/** GET /api/me/ */
interface Me {
  username: string;
  is_staff: boolean;
  auth: string;
}

/** GET /api/auth/sessions/ */
interface SessionView {
  id: string;
  created: string;
  last_seen: string;
  ip: string;
  user_agent: string;
  current: boolean;
}

/** GET /api/auth/tokens/ */
interface TokenView {
  id: string;
  name: string;
  prefix: string;
  created: string;
  last_used: string | null;
  expiry: string | null;
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
  account: byId('account'),
};
const all = Object.values(sections);
const status = byId('status');
const error = byId('error');

function say(message: string): void {
  error.hidden = true;
  status.textContent = message;
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  status.textContent = '';
  error.textContent = message;
  error.hidden = false;
}

/** Shows a section and moves keyboard focus to its heading, so screen readers follow. */
function show(section: HTMLElement): void {
  showOnly(section, all);
  section.querySelector<HTMLElement>('h1')?.focus();
}

/** Runs an action; a signed-out answer (revoked elsewhere, expired) leads back to sign-in. */
async function attempt(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (err instanceof ApiError && err.signedOut) {
      showSignin('You have been signed out (this session ended or was revoked). Please sign in again.');
      return;
    }
    fail(err);
  }
}

function showSignin(message?: string): void {
  byId<HTMLFormElement>('signin-form').reset();
  byId('signup-link').hidden = !pageConfig().signup;
  show(sections.signin);
  if (message) fail(message);
}

async function loadAccount(): Promise<void> {
  const me = await api<Me>('GET', '/api/me/');
  byId('me-username').textContent = me.username;
  byId('me-scheme').textContent = SCHEME_NAMES[me.auth] ?? me.auth;
  byId('me-staff').hidden = !me.is_staff;
  await Promise.all([loadSessions(), loadTokens()]);
  if (sections.account.hidden) show(sections.account);
}

async function loadSessions(): Promise<void> {
  const rows = await api<SessionView[]>('GET', '/api/auth/sessions/');
  const body = byId('sessions');
  body.replaceChildren(
    ...rows.map((s) =>
      el(
        'tr',
        { 'data-session': s.id },
        el(
          'td',
          { class: 'device' },
          s.user_agent || 'Unknown device',
          s.current && el('span', { class: 'badge' }, 'This device'),
        ),
        el('td', {}, s.ip || '—'),
        el('td', {}, when(s.created)),
        el('td', {}, when(s.last_seen)),
        el('td', {}, revokeButton(s)),
      ),
    ),
  );
  if (!rows.length) body.append(el('tr', {}, el('td', { class: 'empty', colspan: '5' }, 'No sessions.')));
}

function revokeButton(s: SessionView): HTMLButtonElement {
  const label = s.current
    ? 'Sign out this device'
    : `Revoke the session from ${s.user_agent || 'an unknown device'}`;
  const button = el('button', { type: 'button', class: 'danger', 'aria-label': label }, 'Revoke');
  button.addEventListener('click', () =>
    attempt(async () => {
      await busy(button, () => api('DELETE', `/api/auth/sessions/${encodeURIComponent(s.id)}/`));
      if (s.current) return showSignin();
      say('Session revoked: that device is signed out.');
      await loadSessions();
    }),
  );
  return button;
}

async function loadTokens(): Promise<void> {
  const rows = await api<TokenView[]>('GET', '/api/auth/tokens/');
  const body = byId('tokens');
  body.replaceChildren(
    ...rows.map((t) => {
      const button = el(
        'button',
        { type: 'button', class: 'danger', 'aria-label': `Revoke token ${t.name}` },
        'Revoke',
      );
      button.addEventListener('click', () =>
        attempt(async () => {
          await busy(button, () => api('DELETE', `/api/auth/tokens/${encodeURIComponent(t.id)}/`));
          say(`Token “${t.name}” revoked.`);
          await loadTokens();
        }),
      );
      return el(
        'tr',
        { 'data-token': t.id },
        el('td', {}, t.name),
        el('td', {}, el('code', {}, `${t.prefix}…`)),
        el('td', {}, when(t.created)),
        el('td', {}, when(t.last_used)),
        el('td', {}, when(t.expiry)),
        el('td', {}, button),
      );
    }),
  );
  if (!rows.length) body.append(el('tr', {}, el('td', { class: 'empty', colspan: '6' }, 'No tokens yet.')));
}

async function signIn(username: string, password: string): Promise<void> {
  // The login is CSRF-protected: make sure the browser holds the csrftoken cookie first.
  await api('GET', '/api/auth/csrf/');
  await api('POST', '/api/auth/login/', { username, password });
  await loadAccount();
  say(`Signed in as ${username}.`);
}

function wire(): void {
  const signinForm = byId<HTMLFormElement>('signin-form');
  signinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(signinForm);
    attempt(() => busy(signinForm, () => signIn(String(data.get('username')), String(data.get('password')))));
  });

  const signupForm = byId<HTMLFormElement>('signup-form');
  signupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(signupForm);
    const username = String(data.get('username'));
    const password = String(data.get('password'));
    const email = String(data.get('email') ?? '');
    attempt(() =>
      busy(signupForm, async () => {
        await api('POST', '/api/auth/register/', { username, password, ...(email ? { email } : {}) });
        await signIn(username, password);
      }),
    );
  });
  byId('show-signup').addEventListener('click', () => show(sections.signup));
  byId('show-signin').addEventListener('click', () => showSignin());

  const logout = byId<HTMLButtonElement>('logout');
  logout.addEventListener('click', () =>
    attempt(async () => {
      await busy(logout, () => api('POST', '/api/auth/logout/'));
      showSignin();
      say('Signed out.');
    }),
  );
  const logoutAll = byId<HTMLButtonElement>('logout-all');
  logoutAll.addEventListener('click', () =>
    attempt(async () => {
      if (!window.confirm('Sign out every browser and device, and revoke all your API tokens?')) return;
      await busy(logoutAll, () => api('POST', '/api/auth/logout-all/'));
      showSignin();
      say('Signed out everywhere: every session and API token has ended.');
    }),
  );

  const tokenForm = byId<HTMLFormElement>('token-form');
  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(tokenForm);
    const name = String(data.get('name') ?? '').trim();
    const expiry = String(data.get('expiry') ?? '');
    attempt(() =>
      busy(tokenForm, async () => {
        const created = await api<TokenView & { key: string }>('POST', '/api/auth/tokens/', {
          ...(name ? { name } : {}),
          ...(expiry ? { expires_in: Number(expiry) } : {}),
        });
        tokenForm.reset();
        showKey(created.name, created.key);
        await loadTokens();
      }),
    );
  });
  byId('copy-key').addEventListener('click', copyKey);
  byId('dismiss-key').addEventListener('click', () => {
    byId<HTMLInputElement>('new-token-key').value = '';
    byId('new-token').hidden = true;
    byId('token-name').focus();
  });
}

function showKey(name: string, key: string): void {
  byId('new-token-name').textContent = name;
  const input = byId<HTMLInputElement>('new-token-key');
  input.value = key;
  byId('new-token').hidden = false;
  input.focus();
  input.select();
  say('Token created. Copy the key now: it is shown only once.');
}

async function copyKey(): Promise<void> {
  const input = byId<HTMLInputElement>('new-token-key');
  try {
    await navigator.clipboard.writeText(input.value);
    say('Key copied to the clipboard.');
  } catch {
    input.focus();
    input.select();
    say('Copying is not allowed here: the key is selected, press Ctrl+C (⌘C) to copy it.');
  }
}

async function start(): Promise<void> {
  wire();
  try {
    await api('GET', '/api/auth/csrf/');
    await loadAccount();
  } catch (err) {
    if (err instanceof ApiError && err.signedOut) return showSignin();
    showSignin();
    fail(err);
  }
}

void start();
