/**
 * The page's one message region (role=status): what an action did, or why it failed when no
 * field is to blame. One region, so a screen reader hears each message once.
 */
import { byId } from './dom.js';

export type Tone = 'ok' | 'error';

/**
 * Shows a message; an empty one clears the region.
 *
 * @example
 * say('Token revoked.');
 * say('Cannot reach the server.', 'error');
 */
export function say(message: string, tone: Tone = 'ok'): void {
  const region = byId('status');
  region.dataset.tone = tone;
  region.textContent = message;
}

/** Shows an error's message. */
export function fail(err: unknown): void {
  say(err instanceof Error ? err.message : String(err), 'error');
}
