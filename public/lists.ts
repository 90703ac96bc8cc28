/**
 * The two lists of the account page, sessions and API tokens, as items that wrap on a phone:
 * a title line (device or token name, badges), a line of facts, and the Revoke button.
 */
import { el, when } from './dom.js';

/** GET /api/auth/sessions/ */
export interface SessionView {
  id: string;
  created: string;
  last_seen: string;
  ip: string;
  user_agent: string;
  /** The user agent named for a person: "Chrome on Linux". */
  device: string;
  current: boolean;
}

/** GET /api/auth/tokens/ */
export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  created: string;
  last_used: string | null;
  expiry: string | null;
  current?: boolean;
}

type Child = Node | string | null | false;

/** "label value" pairs of an item's facts line. */
function fact(label: string, value: Node | string): HTMLElement {
  return el('span', { class: 'fact' }, el('span', { class: 'fact-label' }, `${label} `), value);
}

function item(
  attrs: Record<string, string>,
  title: Child[],
  facts: HTMLElement[],
  action: Node,
): HTMLElement {
  return el(
    'li',
    { class: 'item', ...attrs },
    el(
      'div',
      { class: 'item-body' },
      el('p', { class: 'item-title' }, ...title),
      el('p', { class: 'facts' }, ...facts),
    ),
    el('div', { class: 'item-action' }, action),
  );
}

function empty(text: string): HTMLElement {
  return el('li', { class: 'empty' }, text);
}

/** A Revoke button whose accessible name says what it revokes. */
export function revokeButton(label: string, text = 'Revoke'): HTMLButtonElement {
  return el('button', { type: 'button', class: 'danger', 'aria-label': label }, text);
}

/** One session: its device (the raw user agent on hover), where and when. */
export function sessionItem(s: SessionView, action: HTMLButtonElement): HTMLElement {
  return item(
    { 'data-session': s.id },
    [
      el('span', { class: 'device', title: s.user_agent || 'No User-Agent header was sent' }, s.device),
      s.current && el('span', { class: 'badge ok' }, 'This device'),
    ],
    [fact('IP', s.ip || 'unknown'), fact('Signed in', when(s.created)), fact('Last seen', when(s.last_seen))],
    action,
  );
}

/** One API token: its name, the start of its key (never the key), and its dates. */
export function tokenItem(t: TokenView, action: HTMLButtonElement): HTMLElement {
  return item(
    { 'data-token': t.id },
    [el('span', { class: 'token-name' }, t.name), el('code', { class: 'prefix' }, `${t.prefix}…`)],
    [fact('Created', when(t.created)), fact('Last used', when(t.last_used)), fact('Expires', when(t.expiry))],
    action,
  );
}

/** Replaces a list's items, or says it is empty. */
export function fill(list: HTMLElement, items: HTMLElement[], none: string): void {
  list.replaceChildren(...(items.length ? items : [empty(none)]));
}
