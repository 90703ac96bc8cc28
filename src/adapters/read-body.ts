import { PayloadTooLarge } from '../core/errors.js';

/**
 * Reads a request body as text, refusing it once it passes `limit` bytes, so a client cannot
 * make the adapter hold more than the configured body limit. A declared Content-Length over the
 * limit is refused before a byte is read. Bytes that are not UTF-8 become U+FFFD, and the JSON
 * parser then answers 400, as Fastify's string parser does.
 *
 * @example
 * const raw = await readBody(req, req.headers['content-length'], 64 * 1024);
 */
export async function readBody(
  chunks: AsyncIterable<Uint8Array>,
  contentLength: string | null | undefined,
  limit: number,
): Promise<string | undefined> {
  if (contentLength && Number(contentLength) > limit) throw new PayloadTooLarge(limit);
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) throw new PayloadTooLarge(limit);
    parts.push(chunk);
  }
  if (size === 0) return undefined;
  return Buffer.concat(parts, size).toString('utf8');
}
