import { describe, expect, it } from 'vitest';
import { CommandFailed, OutputClosed, UsageError } from './command.js';

describe('CLI errors', () => {
  it.each([
    [new UsageError('give a <username>'), 'usage'],
    [new CommandFailed('no user named "x"'), 'command_failed'],
    [new OutputClosed(), 'output_closed'],
  ])('%s has the stable code %s', (err, code) => {
    expect(err.code).toBe(code);
    expect(err.name).toBe(err.constructor.name);
  });
});
