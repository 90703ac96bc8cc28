import busboy from 'busboy';
import { ParseError, PayloadTooLarge, UnsupportedMediaType } from '../core/errors.js';

/** The most fields a form body may carry; more is hostile. */
const MAX_FORM_FIELDS = 64;

/**
 * Parses a request body once, before authentication, with DRF's default parsers on every route:
 * JSON, `application/x-www-form-urlencoded` and `multipart/form-data` (which some mobile clients
 * use for obtain_auth_token). An empty body is `undefined`. Errors are 400/413/415 with DRF's
 * wording.
 *
 * @example
 * const body = await parseBody(raw, req.headers['content-type'], { limit: 65536 });
 */
export async function parseBody(
  raw: string | undefined,
  contentType: string | undefined,
  opts: { limit: number },
): Promise<unknown> {
  if (raw === undefined || raw.length === 0) return undefined;
  if (Buffer.byteLength(raw) > opts.limit) throw new PayloadTooLarge(opts.limit);
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json') || type === '') return parseJson(raw);
  if (type === 'application/x-www-form-urlencoded') return parseForm(raw);
  if (type === 'multipart/form-data') return parseMultipart(raw, contentType!, opts.limit);
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

/**
 * A multipart body's text fields (the first value of each name, as a form's); file parts are read
 * past and dropped, since no route takes a file. The body was already held within the limit.
 */
function parseMultipart(raw: string, contentType: string, limit: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fields: MAX_FORM_FIELDS, parts: MAX_FORM_FIELDS, fieldSize: limit, fieldNameSize: 200 },
      });
    } catch (err) {
      // No boundary, or not multipart after all: busboy says which.
      reject(new ParseError(`Multipart form parse error - ${(err as Error).message}`));
      return;
    }
    const out: Record<string, string> = Object.create(null);
    const fail = (detail: string): void => reject(new ParseError(detail));
    const tooMany = (): void => fail(`Form has more than ${MAX_FORM_FIELDS} fields.`);
    parser.on('field', (name, value) => {
      if (!(name in out)) out[name] = value;
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('fieldsLimit', tooMany);
    parser.on('partsLimit', tooMany);
    parser.on('error', (err: Error) => fail(`Multipart form parse error - ${err.message}`));
    parser.on('close', () => resolve(out));
    parser.end(Buffer.from(raw));
  });
}
