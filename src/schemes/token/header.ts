import { AuthenticationFailed } from '../../core/errors.js';

/** What Python's bytes.split() splits on: ASCII whitespace only (not U+00A0, unlike JS's \s). */
const ASCII_WHITESPACE = /[ \t\n\r\v\f]+/;
const NON_ASCII = /[\u0080-\uffff]/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * DRF's TokenAuthentication header parsing, message for message: returns the key, null when the
 * header is absent or names another scheme (the next scheme may try), or throws DRF's 401 for
 * a header that names this scheme but is malformed. `keyword` is compared case-insensitively.
 *
 * @example
 * readTokenHeader('token gat_…', 'token'); // 'gat_…'
 * readTokenHeader('Bearer eyJ…', 'token'); // null
 */
export function readTokenHeader(header: string | undefined, keywordLower: string): string | null {
  if (!header) return null;
  const parts = header.split(ASCII_WHITESPACE);
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 0 || parts[0]!.toLowerCase() !== keywordLower) return null;
  if (parts.length === 1) throw new AuthenticationFailed('Invalid token header. No credentials provided.');
  if (parts.length > 2) {
    throw new AuthenticationFailed('Invalid token header. Token string should not contain spaces.');
  }
  const key = parts[1]!;
  if (NON_ASCII.test(key) && !isUtf8(key)) {
    throw new AuthenticationFailed(
      'Invalid token header. Token string should not contain invalid characters.',
    );
  }
  return key;
}

/**
 * Node hands header values over as Latin-1 (one character per byte); DRF decodes the token's
 * bytes as UTF-8 and refuses it when they are not. A string already beyond Latin-1 was decoded
 * upstream, so it is text.
 */
function isUtf8(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return true;
  try {
    UTF8.decode(Buffer.from(value, 'latin1'));
    return true;
  } catch {
    return false;
  }
}
