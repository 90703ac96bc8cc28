import { OutputClosed } from './command.js';

type Stream = NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };

/** Streams whose reader has gone; a WeakSet so a stream is watched once, however often main runs. */
const gone = new WeakSet<Stream>();
const watched = new WeakSet<Stream>();

/**
 * Keeps a closed pipe from crashing the process: without an 'error' listener, the EPIPE that a
 * write to a closed pipe raises (`gatehouse audit | head -1`) is thrown as an uncaught exception.
 * The error can arrive after the command has finished, so the listener stays.
 */
export function watchStream(stream: Stream): void {
  if (watched.has(stream)) return;
  watched.add(stream);
  stream.on('error', () => {
    gone.add(stream);
  });
}

/** True once nothing written to the stream can reach a reader. */
export function isClosed(stream: Stream): boolean {
  return gone.has(stream) || stream.destroyed === true || stream.writableEnded === true;
}

/** A `print` that stops the command (OutputClosed) once the reader has gone. */
export function printer(stream: Stream): (line: string) => void {
  return (line) => {
    if (isClosed(stream)) throw new OutputClosed();
    stream.write(`${line}\n`);
  };
}
