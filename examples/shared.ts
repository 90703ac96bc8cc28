/**
 * What the three notes examples share: the gatehouse config and a tiny in-memory notes list.
 * The users, tokens and sessions live in the embedded SQLite file (`sqlite:./notes.db`).
 */
import { defineConfig, type GatehouseConfigInput } from 'gatehouse-auth';

/** A note as the examples store it. */
export interface Note {
  id: number;
  owner: string;
  text: string;
}

/**
 * The example's config: sign-up on, so a client can register, then obtain a token. In
 * production set GATEHOUSE_SECRET_KEY (32+ characters); the fallback here is for a local try only.
 */
export function exampleConfig(): GatehouseConfigInput {
  return defineConfig({
    secretKey: process.env.GATEHOUSE_SECRET_KEY ?? 'example-only-secret-key-do-not-deploy-0123456789',
    database: process.env.GATEHOUSE_DATABASE_URL ?? 'sqlite:./notes.db',
    authentication: ['token', 'jwt'],
    signup: true,
    logLevel: 'warn',
  });
}

/** The notes, in memory: the example is about who may write them, not where they live. */
export function createNotes() {
  const notes: Note[] = [];
  return {
    list: (): Note[] => notes,
    add(owner: string, text: unknown): Note {
      const note = { id: notes.length + 1, owner, text: typeof text === 'string' ? text.slice(0, 500) : '' };
      notes.push(note);
      return note;
    },
  };
}

/** PORT (default 3000; 0 picks a free one) and HOST (default 127.0.0.1). */
export function listenAddress(): { port: number; host: string } {
  return { port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' };
}
