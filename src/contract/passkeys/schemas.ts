import { z } from 'zod';

/** A base64url field of a WebAuthn response: bounded, so a hostile body costs little. */
export const b64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+$/, 'Expected base64url.');

/** What every WebAuthn response (PublicKeyCredential.toJSON()) carries. */
export const credentialFields = {
  id: b64url,
  rawId: b64url,
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};

/** A passkey assertion: `PublicKeyCredential.toJSON()` after `navigator.credentials.get()`. */
export const assertionSchema = z.object({
  ...credentialFields,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});
