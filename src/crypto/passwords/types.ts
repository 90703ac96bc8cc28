/** What the layers above need of password hashing; implemented by crypto/passwords/hasher.ts. */
export interface PasswordVerification {
  ok: boolean;
  /** The hash is in an older format or with weaker parameters: store `hash(password)` now. */
  needsRehash: boolean;
}

export interface PasswordHasher {
  /** argon2id, off the event loop. Throws HashingBusy when the bounded queue is full. */
  hash(password: string): Promise<string>;
  /**
   * Verifies against an argon2id PHC string or a Django-format hash (pbkdf2_sha256$, pbkdf2_sha1$,
   * argon2$argon2id$, bcrypt_sha256$). An unusable or unknown hash verifies false, never throws.
   */
  verify(password: string, encoded: string): Promise<PasswordVerification>;
  /** Costs what a real verify costs, for an unknown username (no user enumeration by timing). */
  dummyVerify(password: string): Promise<void>;
  /** Hashes waiting for a slot now (the metrics' queue depth); absent on an app's own hasher. */
  readonly queued?: number;
}
