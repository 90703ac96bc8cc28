import { ParseError, PayloadTooLarge, UnsupportedMediaType } from '../core/errors.js';

/** The most fields a form body may carry; more is hostile. */
const MAX_FORM_FIELDS = 64;

/**
 * Parses a request body once, before authentication: JSON always, form-encoded where the route
 * accepts it. An empty body is `undefined`. Errors are 400/413/415 with DRF's wording.
 */
export function parseBody(
  raw: string | undefined,
  contentType: string | undefined,
  opts: { acceptForm: boolean; limit: number },
): unknown {
  if (raw === undefined || raw.length === 0) return undefined;
  if (Buffer.byteLength(raw) > opts.limit) throw new PayloadTooLarge(opts.limit);
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json') || type === '') return parseJson(raw);
  if (type === 'application/x-www-form-urlencoded' && opts.acceptForm) return parseForm(raw);
  throw new UnsupportedMediaType(type);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ParseError(`JSON parse error - ${(err as Error).message}`);
  }
}

function parseForm(raw: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const params = new URLSearchParams(raw);
  let n = 0;
  for (const [k, v] of params) {
    if (++n > MAX_FORM_FIELDS) throw new ParseError(`Form has more than ${MAX_FORM_FIELDS} fields.`);
    if (!(k in out)) out[k] = v;
  }
  return out;
}
