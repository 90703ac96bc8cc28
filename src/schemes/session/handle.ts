import type { SessionRecord, SessionStore } from '../../stores/types.js';

/** A JSON value the session bag can hold. */
export type SessionValue =
  | string
  | number
  | boolean
  | null
  | SessionValue[]
  | { [key: string]: SessionValue };

/**
 * What `auth` holds for a session-authenticated request (Django's request.session): the
 * session's public facts and its small JSON bag. A change to the bag is written once, after the
 * handler (by the session scheme's `finish`), and only when something changed; `save()` writes
 * it at once.
 *
 * @example
 * if (auth.scheme === 'session') {
 *   auth.auth.set('theme', 'dark');
 *   auth.auth.get<string>('theme'); // 'dark'
 * }
 */
export class SessionHandle {
  /** Public id (as listed by GET /api/auth/sessions/); not the secret. */
  readonly id: string;
  readonly userId: number;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly ip: string;
  readonly userAgent: string;
  /** SHA-256 of the cookie's secret: how the store knows this session. Never sent to a client. */
  readonly digest: string;
  #data: Record<string, SessionValue>;
  #changed = false;
  readonly #store: SessionStore;
  readonly #maxBytes: number;

  constructor(row: SessionRecord, store: SessionStore, maxBytes: number) {
    this.id = row.id;
    this.userId = row.userId;
    this.createdAt = row.createdAt;
    this.lastSeenAt = row.lastSeenAt;
    this.expiresAt = row.expiresAt;
    this.ip = row.ip;
    this.userAgent = row.userAgent;
    this.digest = row.digest;
    this.#data = row.data as Record<string, SessionValue>;
    this.#store = store;
    this.#maxBytes = maxBytes;
  }

  /** The value under `key`, or undefined. Mutating it does not save it: call `set` again. */
  get<T extends SessionValue = SessionValue>(key: string): T | undefined {
    return Object.hasOwn(this.#data, key) ? (this.#data[key] as T) : undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#data, key);
  }

  keys(): string[] {
    return Object.keys(this.#data);
  }

  /**
   * Stores a JSON value (a copy of it). Throws a RangeError when the bag would outgrow
   * `sessions.maxDataBytes`: a session is not a database.
   */
  set(key: string, value: SessionValue): void {
    const copy = JSON.parse(JSON.stringify(value)) as SessionValue;
    const next = { ...this.#data, [key]: copy };
    const bytes = Buffer.byteLength(JSON.stringify(next));
    if (bytes > this.#maxBytes) {
      throw new RangeError(
        `session data would be ${bytes} bytes, over sessions.maxDataBytes (${this.#maxBytes})`,
      );
    }
    this.#data = next;
    this.#changed = true;
  }

  delete(key: string): void {
    if (!Object.hasOwn(this.#data, key)) return;
    const { [key]: _gone, ...rest } = this.#data;
    this.#data = rest;
    this.#changed = true;
  }

  /** Empties the bag (the session itself stays). */
  clear(): void {
    if (Object.keys(this.#data).length === 0) return;
    this.#data = {};
    this.#changed = true;
  }

  /** True when the bag changed since it was loaded or last saved. */
  get changed(): boolean {
    return this.#changed;
  }

  /** Writes the bag when it changed; a no-op otherwise. */
  async save(): Promise<void> {
    if (!this.#changed) return;
    this.#changed = false;
    try {
      await this.#store.saveData(this.digest, this.#data);
    } catch (err) {
      this.#changed = true;
      throw err;
    }
  }
}
