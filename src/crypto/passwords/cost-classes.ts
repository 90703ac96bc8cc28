import { randomBytes } from 'node:crypto';
import { type DjangoHash, verifyDjangoBcrypt, verifyPbkdf2 } from './django-hashes.js';

/** The kinds of hash work a password check can do: our argon2id, and Django's slower formats. */
export type CostClass = 'argon2' | 'pbkdf2' | 'bcrypt';

type Pbkdf2Hash = Extract<DjangoHash, { kind: 'pbkdf2' }>;
type BcryptHash = Extract<DjangoHash, { kind: 'bcrypt' }>;

/**
 * Equal work on every path of a login. Django's pbkdf2 (870 000 iterations in 5.1) costs ten
 * times an argon2id verify, so a user imported from Django, an unknown username and a native user
 * could be told apart by timing. Once the hasher has checked a hash of a Django class, every later
 * check also spends a dummy of that class (the costliest parameters seen), besides its own work:
 * an unknown user, a native user and an imported one then all pay argon2 + pbkdf2 (+ bcrypt).
 * What remains is in docs/SECURITY.md ("Imported Django hashes").
 */
export interface CostClasses {
  /** Remembers the class of a Django hash just checked (kept when costlier than the last). */
  saw(hash: DjangoHash): void;
  /** Spends a dummy of every class seen other than `done`, the one the check itself did. */
  spendOthers(password: string, done: CostClass): Promise<void>;
}

/** The cost classes of one hasher: learned from the hashes it checks, for its lifetime. */
export function createCostClasses(): CostClasses {
  let pbkdf2: Pbkdf2Hash | null = null;
  let bcrypt: BcryptHash | null = null;
  return {
    saw(hash) {
      if (hash.kind === 'pbkdf2' && (!pbkdf2 || hash.iterations > pbkdf2.iterations)) {
        // A dummy of the same size and cost: its own random salt, so it never matches anything.
        pbkdf2 = { ...hash, salt: randomBytes(12).toString('base64url') };
      } else if (hash.kind === 'bcrypt' && (!bcrypt || hash.cost > bcrypt.cost)) {
        bcrypt = hash;
      }
    },
    async spendOthers(password, done) {
      // The outcome is irrelevant: the work is the point.
      if (pbkdf2 && done !== 'pbkdf2') await verifyPbkdf2(password, pbkdf2).catch(() => false);
      if (bcrypt && done !== 'bcrypt') await verifyDjangoBcrypt(password, bcrypt).catch(() => false);
    },
  };
}
