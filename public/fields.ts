/**
 * Field errors shown beside their fields: each message is a paragraph right after its control,
 * tied to it by aria-describedby and aria-invalid, so a screen reader reads it on focus.
 */
import type { FieldErrors } from './api.js';
import { el } from './dom.js';

type Control = HTMLInputElement | HTMLSelectElement;

function isControl(node: unknown): node is Control {
  return node instanceof HTMLInputElement || node instanceof HTMLSelectElement;
}

function describedBy(control: Control): string[] {
  return (control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
}

function setDescribedBy(control: Control, ids: string[]): void {
  if (ids.length) control.setAttribute('aria-describedby', ids.join(' '));
  else control.removeAttribute('aria-describedby');
}

/** Removes one control's error, if it has one. */
function clearControl(control: Control): void {
  const id = `${control.id}-error`;
  document.getElementById(id)?.remove();
  control.removeAttribute('aria-invalid');
  setDescribedBy(
    control,
    describedBy(control).filter((d) => d !== id),
  );
}

/** Removes every field error of a form. */
export function clearFieldErrors(form: HTMLFormElement): void {
  for (const node of form.elements) if (isControl(node)) clearControl(node);
}

/**
 * Puts each error beside its control (the one named like the API field), focuses the first
 * one, and returns the messages that belong to no control.
 *
 * @example
 * const rest = showFieldErrors(form, { password: ['This password is too short.'] });
 */
export function showFieldErrors(form: HTMLFormElement, errors: FieldErrors): string[] {
  clearFieldErrors(form);
  const rest: string[] = [];
  let first: Control | null = null;
  for (const [field, messages] of Object.entries(errors)) {
    const control = form.elements.namedItem(field);
    if (!isControl(control) || !control.id) {
      rest.push(...messages);
      continue;
    }
    const id = `${control.id}-error`;
    const note = el('p', { id, class: 'field-error' }, messages.join(' '));
    // After the control's own hint, if it has one, so the hint and the error read in order.
    const hint = control.nextElementSibling?.classList.contains('hint')
      ? control.nextElementSibling
      : control;
    hint.after(note);
    control.setAttribute('aria-invalid', 'true');
    setDescribedBy(control, [...describedBy(control), id]);
    first ??= control;
  }
  first?.focus();
  return rest;
}

/**
 * Errors for the required controls (`data-required` holds the message) that are empty, before
 * anything is sent.
 */
export function missingFields(form: HTMLFormElement): FieldErrors {
  const errors: FieldErrors = {};
  for (const node of form.elements) {
    if (isControl(node) && node.dataset.required && !node.value.trim())
      errors[node.name] = [node.dataset.required];
  }
  return errors;
}

/** Clears a control's error as soon as the person changes it. */
export function clearOnEdit(form: HTMLFormElement): void {
  form.addEventListener('input', (event) => {
    if (isControl(event.target)) clearControl(event.target);
  });
}
