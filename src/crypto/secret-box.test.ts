import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.js';

const OLD = 'o'.repeat(40);
const NEW = 'n'.repeat(40);

describe('createSecretBox', () => {
  it('seals so that the stored text does not contain the secret, and opens it again', () => {
    const box = createSecretBox([NEW], 'mfa.totp');
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toBe(box.seal('JBSWY3DPEHPK3PXP'));
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('opens what a fallback key sealed, and seals with the current key', () => {
    const before = createSecretBox([OLD], 'mfa.totp').seal('s3cret');
    const rotated = createSecretBox([NEW, OLD], 'mfa.totp');
    expect(rotated.open(before)).toBe('s3cret');
    expect(createSecretBox([NEW], 'mfa.totp').open(rotated.seal('s3cret'))).toBe('s3cret');
  });

  it('refuses a dropped key, another purpose, a changed byte and garbage', () => {
    const sealed = createSecretBox([OLD], 'mfa.totp').seal('s3cret');
    expect(createSecretBox([NEW], 'mfa.totp').open(sealed)).toBeNull();
    expect(createSecretBox([OLD], 'other').open(sealed)).toBeNull();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    expect(createSecretBox([OLD], 'mfa.totp').open(parts.join('.'))).toBeNull();
    for (const junk of ['', 'v1', 'v1.a.b.c', 'v2.x.y.z'])
      expect(createSecretBox([OLD], 'mfa.totp').open(junk)).toBeNull();
  });
});
