/**
 * The second step of a sign-in (docs/mfa.md): after a right password, a user with a second factor
 * answers with a TOTP or recovery code, or with one of their passkeys, on the same route and with
 * the `mfa_token` the first step gave. The form shows only what the server said this user can use.
 */
import { ApiError, api, pageConfig } from './api.js';
import { busy, byId } from './dom.js';
import { clearFieldErrors } from './fields.js';
import { mfaTokenOf } from './mfa.js';
import { passkeyAssertion } from './passkeys.js';
import { say } from './status.js';

type Proof = { code: string } | { passkey: unknown };

/** What the page lends this step: its form submission, its error handling and where to go next. */
export interface SecondStepPage {
  onSubmit(form: HTMLFormElement, send: (data: FormData) => Promise<void>): void;
  attempt(action: () => Promise<void>, form?: HTMLFormElement): Promise<void>;
  showSignin(message?: string): void;
  signedIn(): Promise<void>;
}

/** The mfa_token of the sign-in waiting for its second step. */
let pending: string | null = null;

/** The second factors an `mfa_required` answer names. */
function methodsOf(err: unknown): string[] {
  const methods = ((err as ApiError).body as { methods?: unknown } | undefined)?.methods;
  return Array.isArray(methods) ? methods.filter((m): m is string => typeof m === 'string') : [];
}

/** Starts the second step when `err` is `mfa_required`; false for any other error. */
export function startSecondStep(err: unknown): boolean {
  const token = mfaTokenOf(err);
  if (token === null) return false;
  pending = token;
  const methods = methodsOf(err);
  const codes = methods.includes('totp') || methods.includes('recovery_code');
  const passkey = methods.includes('passkey') && pageConfig().passkeys;
  byId('signin-form').hidden = true;
  byId('mfa-form').hidden = false;
  byId('mfa-code-field').hidden = !codes;
  byId('mfa-verify').hidden = !codes;
  byId('mfa-passkey').hidden = !passkey;
  byId(codes ? 'mfa-code' : 'mfa-passkey').focus();
  if (codes && passkey)
    say('Enter the code from your authenticator app or a recovery code, or use a passkey.');
  else if (codes) say('Enter the code from your authenticator app, or a recovery code.');
  else say('Confirm it is you with one of your passkeys.');
  return true;
}

/** Forgets a half-done sign-in and hides its form. */
export function endSecondStep(): void {
  const form = byId<HTMLFormElement>('mfa-form');
  form.reset();
  clearFieldErrors(form);
  form.hidden = true;
  pending = null;
}

async function finish(proof: Proof, page: SecondStepPage): Promise<void> {
  try {
    await api('POST', '/api/auth/login/', { mfa_token: pending, ...proof });
  } catch (err) {
    const token = mfaTokenOf(err);
    if (token !== null) {
      // A wrong answer comes with a fresh token: try again without retyping the password.
      pending = token;
      const message = (err as ApiError).message;
      if ('code' in proof) throw new ApiError(400, 'invalid', message, { code: [message] });
      say(message, 'error');
      return;
    }
    if (err instanceof ApiError && err.code === 'mfa_token_invalid') {
      page.showSignin('That sign-in took too long or was already used: enter your password again.');
      return;
    }
    throw err;
  }
  pending = null;
  say('');
  await page.signedIn();
}

/** Wires the second step's form: a code typed in, or the passkey button. */
export function wireSecondStep(page: SecondStepPage): void {
  const form = byId<HTMLFormElement>('mfa-form');
  page.onSubmit(form, (data) => finish({ code: String(data.get('code')).trim() }, page));
  const passkey = byId<HTMLButtonElement>('mfa-passkey');
  passkey.addEventListener('click', () =>
    page.attempt(() => busy(passkey, async () => finish({ passkey: await passkeyAssertion() }, page)), form),
  );
}
