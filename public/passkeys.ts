/**
 * Passkeys on the account page (docs/mfa.md): add one (the browser's create() ceremony), list and
 * remove them, and sign in with one. The server's options JSON goes through the browser's own
 * parsers (PublicKeyCredential.parse…FromJSON) and the answer back through toJSON().
 */
import { api } from './api.js';
import { busy, byId, el, when } from './dom.js';
import { say } from './status.js';

interface PasskeyView {
  id: string;
  name: string;
  created: string;
  last_used: string | null;
}

type OnSubmit = (form: HTMLFormElement, send: (data: FormData) => Promise<void>) => void;

/** The browser's JSON forms of WebAuthn (baseline since 2025; typed here for older lib.dom). */
interface WebAuthnJson {
  parseCreationOptionsFromJSON(json: unknown): CredentialCreationOptions['publicKey'];
  parseRequestOptionsFromJSON(json: unknown): CredentialRequestOptions['publicKey'];
}
const json = PublicKeyCredential as unknown as WebAuthnJson;
const toJSON = (c: Credential | null): unknown => {
  if (c === null) throw new Error('No passkey was chosen.');
  return (c as unknown as { toJSON(): unknown }).toJSON();
};

/** Shows the caller's passkeys, each with a Remove button. */
export async function loadPasskeys(onRemoved: () => Promise<void> = loadPasskeys): Promise<void> {
  const { passkeys } = await api<{ passkeys: PasskeyView[] }>('GET', '/api/auth/mfa/');
  const items = passkeys.map((p) => {
    const remove = el('button', { type: 'button', class: 'secondary' }, 'Remove');
    remove.addEventListener('click', () =>
      busy(remove, async () => {
        await api('DELETE', `/api/auth/passkeys/${encodeURIComponent(p.id)}/`);
        await onRemoved();
        say(`Passkey “${p.name}” removed.`);
      }).catch((err: unknown) => say((err as Error).message, 'error')),
    );
    return el(
      'li',
      { class: 'item passkey' },
      el('span', { class: 'item-title' }, p.name),
      el('span', { class: 'fact' }, 'added ', when(p.created)),
      el('span', { class: 'fact' }, 'last used ', when(p.last_used)),
      remove,
    );
  });
  byId('passkey-list').replaceChildren(...items);
}

/** Wires the passkeys card: the name form starts the browser's registration ceremony. */
export function wirePasskeys(onSubmit: OnSubmit): void {
  const form = byId<HTMLFormElement>('passkey-form');
  onSubmit(form, async (data) => {
    const options = await api<unknown>('POST', '/api/auth/passkeys/register/options/');
    const created = await navigator.credentials.create({
      publicKey: json.parseCreationOptionsFromJSON(options),
    });
    const name = String(data.get('name') ?? '').trim();
    const body = { ...(toJSON(created) as object), ...(name ? { name } : {}) };
    await api('POST', '/api/auth/passkeys/register/verify/', body);
    form.reset();
    await loadPasskeys();
    say('Passkey added.');
  });
}

/** The browser's answer to a fresh sign-in challenge, with a passkey of the person's choosing. */
export async function passkeyAssertion(): Promise<object> {
  const options = await api<unknown>('POST', '/api/auth/passkeys/login/options/');
  const assertion = await navigator.credentials.get({ publicKey: json.parseRequestOptionsFromJSON(options) });
  return toJSON(assertion) as object;
}

/** Signs in with a passkey: no username or password, a session like the password sign-in. */
export async function signInWithPasskey(): Promise<void> {
  await api('GET', '/api/auth/csrf/');
  await api('POST', '/api/auth/passkeys/login/verify/', { ...(await passkeyAssertion()), issue: 'session' });
}
