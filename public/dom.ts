/**
 * Small DOM helpers. Text goes in as text (textContent), never as HTML, so nothing a server or
 * a user typed can become markup; the page's CSP also forbids inline script.
 */

import { describeTime, exactTime } from './dates.js';

type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children.
 *
 * @example
 * el('span', { class: 'device', title: session.user_agent }, session.device);
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** The element with this id; throws when the page and the script disagree. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

/**
 * A timestamp as short words ("5 min. ago", "Dec 3, 2026"), with the full date and time on hover
 * and the exact instant in `datetime`.
 */
export function when(iso: string | null, never = 'never'): HTMLElement {
  if (iso === null) return el('span', {}, never);
  const date = new Date(iso);
  return el('time', { datetime: iso, title: exactTime(date) }, describeTime(date));
}

/** Shows one element of a group and hides the rest. */
export function showOnly(visible: HTMLElement, all: readonly HTMLElement[]): void {
  for (const node of all) node.hidden = node !== visible;
}

/** Disables a form's or a button's controls while `work` runs. */
export async function busy<T>(
  control: HTMLFormElement | HTMLButtonElement,
  work: () => Promise<T>,
): Promise<T> {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  for (const b of buttons) b.disabled = true;
  control.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const b of buttons) b.disabled = false;
    control.removeAttribute('aria-busy');
  }
}
