import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh working directory (its own SQLite file, its own .gatehouse/ secret). */
export function tempProject(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-'));
}
