import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** RFC 6238's default step, which every authenticator app uses. */
export const TOTP_PERIOD = 30;
/** One step either side: a phone clock a little off, or a code typed as it changed. */
const DRIFT_SECONDS = TOTP_PERIOD;
const SIX_DIGITS = /^\d{6}$/;

/** A fresh base32 TOTP secret (160 bits, RFC 4226's recommendation). */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** What the setup route shows: the otpauth:// URL and its QR code as SVG, made here, never by a third party. */
export async function totpProvisioning(
  secret: string,
  issuer: string,
  account: string,
): Promise<{ otpauthUrl: string; qrSvg: string }> {
  const otpauthUrl = generateURI({ issuer, label: account, secret });
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { otpauthUrl, qrSvg };
}

/** Whether `code` looks like a TOTP code (six digits), as opposed to a recovery code. */
export function isTotpCode(code: string): boolean {
  return SIX_DIGITS.test(code);
}

/**
 * The time step `code` is valid for at `nowMs` (±1 step), or null. The caller records the step,
 * so each code is accepted once.
 *
 * @example
 * const step = await totpStep(secret, '492039', clock.now());
 */
export async function totpStep(secret: string, code: string, nowMs: number): Promise<number | null> {
  if (!isTotpCode(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(nowMs / 1000),
    period: TOTP_PERIOD,
    epochTolerance: DRIFT_SECONDS,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** Until when a step must be remembered: past the last instant its code is still accepted. */
export function stepExpiry(step: number): number {
  return (step + 2) * TOTP_PERIOD * 1000 + DRIFT_SECONDS * 1000;
}
