import type { GatehouseConfigInput } from '../../src/core/config.js';

// The relying party the contract suite's software authenticator signs for: it makes the
// browser's bytes itself, so the origin need not be where the target listens.

export const PASSKEY_RP_ID = 'gatehouse.test';
export const PASSKEY_ORIGIN = 'https://app.gatehouse.test';

/** `mfa` settings that turn passkeys on for that relying party. */
export const passkeyMfa: NonNullable<GatehouseConfigInput['mfa']> = {
  passkeys: { rpId: PASSKEY_RP_ID, origins: [PASSKEY_ORIGIN] },
};
