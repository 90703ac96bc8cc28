/**
 * An inline confirmation for actions that cannot be undone: the button is replaced by
 * "Question [Yes] [Cancel]" in place, focus goes to Cancel (Enter twice does nothing harmful),
 * and Escape or Cancel put the button back, focused. Nothing is a modal, so nothing traps focus.
 */
import { el } from './dom.js';

export interface ConfirmOptions {
  /** The question, shown and used as the group's accessible name ("Revoke this token?"). */
  question: string;
  /** The confirming button's text ("Revoke"). */
  yes: string;
}

/**
 * Asks in place of `button`; resolves true when confirmed, false when cancelled.
 *
 * @example
 * if (await confirmInline(button, { question: 'Revoke this token?', yes: 'Revoke' })) await revoke();
 */
export function confirmInline(button: HTMLButtonElement, opts: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = el('button', { type: 'button', class: 'danger solid' }, opts.yes);
    const no = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const prompt = el('span', { class: 'confirm-question' }, opts.question);
    const group = el(
      'div',
      { class: 'confirm', role: 'group', 'aria-label': opts.question },
      prompt,
      yes,
      no,
    );
    const finish = (answer: boolean): void => {
      group.replaceWith(button);
      if (!answer) button.focus();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        finish(false);
      }
    });
    button.replaceWith(group);
    no.focus();
  });
}
