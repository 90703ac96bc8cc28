import { ApiError, api } from './api.js';
import { byId, el } from './dom.js';
import { say } from './status.js';

/** GET /api/auth/mfa/ */
interface MfaStatus {
  totp: boolean;
  passkeys: unknown[];
  recovery_codes_left: number;
}

/** How the page submits a form (account.ts: required fields, busy state, errors by field). */
type OnSubmit = (form: HTMLFormElement, send: (data: FormData) => Promise<void>) => void;

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The QR code the server made, rebuilt as SVG nodes: the page's Trusted Types policy forbids
 * turning a string into markup, so only its viewBox and its paths' drawing attributes are read.
 */
function qrNode(svg: string): SVGSVGElement {
  const root = document.createElementNS(SVG, 'svg');
  root.setAttribute('viewBox', /viewBox="([\d .]+)"/.exec(svg)?.[1] ?? '0 0 0 0');
  root.setAttribute('shape-rendering', 'crispEdges');
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', 'QR code for your authenticator app');
  for (const [, attrs] of svg.matchAll(/<path ([^>]*?)\/?>/g)) {
    const path = document.createElementNS(SVG, 'path');
    for (const [, name, value] of (attrs ?? '').matchAll(/(fill|stroke|d)="([^"]*)"/g)) {
      path.setAttribute(name!, value!);
    }
    root.append(path);
  }
  return root;
}

function showCodes(codes: string[]): void {
  byId('mfa-code-list').replaceChildren(...codes.map((c) => el('li', {}, el('code', {}, c))));
  byId('mfa-codes').hidden = false;
  byId('mfa-codes-title').focus();
}

/** Shows whether TOTP is on, and the form that fits. */
export async function loadMfa(): Promise<void> {
  const status = await api<MfaStatus>('GET', '/api/auth/mfa/');
  byId('mfa-state').textContent = status.totp
    ? `On: an authenticator app code is asked at sign-in. ${status.recovery_codes_left} recovery codes left.`
    : status.passkeys.length
      ? 'Off: after your password, one of your passkeys is asked at sign-in.'
      : 'Off: your password alone signs you in.';
  byId('mfa-setup-form').hidden = status.totp;
  byId('mfa-disable-form').hidden = !status.totp;
  if (status.totp) byId('mfa-enrol').hidden = true;
}

/** Wires the account's two-factor card: set up (password), confirm (first code), turn off. */
export function wireMfa(onSubmit: OnSubmit): void {
  const setup = byId<HTMLFormElement>('mfa-setup-form');
  onSubmit(setup, async (data) => {
    const made = await api<{ secret: string; qr_svg: string }>('POST', '/api/auth/mfa/totp/setup/', {
      password: String(data.get('password')),
    });
    setup.reset();
    byId('mfa-qr').replaceChildren(qrNode(made.qr_svg));
    byId('mfa-secret').textContent = made.secret;
    byId('mfa-enrol').hidden = false;
    byId<HTMLInputElement>('mfa-confirm-code').focus();
  });
  const confirm = byId<HTMLFormElement>('mfa-confirm-form');
  onSubmit(confirm, async (data) => {
    const { recovery_codes } = await api<{ recovery_codes: string[] }>(
      'POST',
      '/api/auth/mfa/totp/confirm/',
      {
        code: String(data.get('code')),
      },
    );
    confirm.reset();
    await loadMfa();
    say('Two-factor authentication is on.');
    showCodes(recovery_codes);
  });
  const done = byId<HTMLButtonElement>('mfa-codes-done');
  done.addEventListener('click', () => {
    byId('mfa-code-list').replaceChildren();
    byId('mfa-codes').hidden = true;
    byId('mfa-title').focus();
  });
  const disable = byId<HTMLFormElement>('mfa-disable-form');
  onSubmit(disable, async (data) => {
    await api('POST', '/api/auth/mfa/totp/disable/', { password: String(data.get('password')) });
    disable.reset();
    await loadMfa();
    say('Two-factor authentication is off.');
  });
}

/** The mfa_token of an `mfa_required` (or `mfa_failed`) answer, or null for any other error. */
export function mfaTokenOf(err: unknown): string | null {
  if (!(err instanceof ApiError) || (err.code !== 'mfa_required' && err.code !== 'mfa_failed')) return null;
  const token = (err.body as { mfa_token?: unknown } | undefined)?.mfa_token;
  return typeof token === 'string' ? token : null;
}
