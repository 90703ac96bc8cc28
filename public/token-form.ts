/**
 * The new-token form: create a token, show its key once (Copy, Done), and explain the server's
 * limit on lifetimes in days rather than seconds.
 */
import { ApiError, api, type FieldErrors } from './api.js';
import { byId } from './dom.js';
import type { TokenView } from './lists.js';
import { say } from './status.js';

const DAY = 86_400;

export interface TokenFormDeps {
  onSubmit(form: HTMLFormElement, send: (data: FormData) => Promise<void>): void;
  loadTokens(): Promise<void>;
}

/** "Ensure this value is less than or equal to 2592000." -> "This server allows at most 30 days." */
function friendlyLifetime(fields: FieldErrors): FieldErrors {
  const problems = fields.expires_in;
  if (!problems) return fields;
  const at = problems.map((p) => {
    const max = /less than or equal to (\d+)/.exec(p)?.[1];
    if (!max) return p;
    const days = Math.floor(Number(max) / DAY);
    return days >= 1
      ? `This server allows tokens for at most ${days} day${days === 1 ? '' : 's'}: choose a shorter time.`
      : 'This server allows tokens for less than a day: choose the server default.';
  });
  return { ...fields, expires_in: at };
}

async function create(data: FormData, deps: TokenFormDeps, form: HTMLFormElement): Promise<void> {
  const name = String(data.get('name') ?? '').trim();
  const expiry = String(data.get('expires_in') ?? '');
  let created: TokenView & { key: string };
  try {
    created = await api<TokenView & { key: string }>('POST', '/api/auth/tokens/', {
      ...(name ? { name } : {}),
      ...(expiry ? { expires_in: Number(expiry) } : {}),
    });
  } catch (err) {
    if (err instanceof ApiError)
      throw new ApiError(err.status, err.code, err.message, friendlyLifetime(err.fields));
    throw err;
  }
  form.reset();
  showKey(created.name, created.key);
  await deps.loadTokens();
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

/**
 * Wires the form and the key panel.
 *
 * @example
 * wireTokenForm({ onSubmit, loadTokens });
 */
export function wireTokenForm(deps: TokenFormDeps): void {
  const form = byId<HTMLFormElement>('token-form');
  deps.onSubmit(form, (data) => create(data, deps, form));
  byId('copy-key').addEventListener('click', copyKey);
  byId('dismiss-key').addEventListener('click', () => {
    byId<HTMLInputElement>('new-token-key').value = '';
    byId('new-token').hidden = true;
    byId('token-name').focus();
  });
}
