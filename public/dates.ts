/**
 * Dates short enough for a phone: relative while recent ("5 min ago", "in 3 days"), a short
 * date in the reader's locale after that; the exact time is kept for hover and for machines.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

/**
 * The words for a moment, seen from `now`.
 *
 * @example
 * describeTime(new Date(Date.now() - 5 * 60_000)); // "5 min. ago" (en-US)
 */
export function describeTime(date: Date, now: number = Date.now()): string {
  const diff = date.getTime() - now;
  const size = Math.abs(diff);
  if (size < MINUTE) return diff <= 0 ? 'just now' : 'in a moment';
  if (size < HOUR) return relative.format(Math.round(diff / MINUTE), 'minute');
  if (size < DAY) return relative.format(Math.round(diff / HOUR), 'hour');
  if (size < 7 * DAY) return relative.format(Math.round(diff / DAY), 'day');
  return shortDate.format(date);
}

/** The full date and time, for the title (tooltip) of a shortened one. */
export function exactTime(date: Date): string {
  return exact.format(date);
}
