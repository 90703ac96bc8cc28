import { describe, expect, it } from 'vitest';
import { commandFirst } from './leading-flags.js';

describe('commandFirst', () => {
  it('moves global flags given before the command after it', () => {
    expect(commandFirst(['--config', 'app.ts', 'createuser', 'ada'])).toEqual([
      'createuser',
      '--config',
      'app.ts',
      'ada',
    ]);
    expect(commandFirst(['--config=app.ts', 'migrate'])).toEqual(['migrate', '--config=app.ts']);
  });

  it('leaves everything else as given', () => {
    expect(commandFirst(['createuser', 'ada', '--config', 'x.ts'])).toEqual([
      'createuser',
      'ada',
      '--config',
      'x.ts',
    ]);
    expect(commandFirst(['--help'])).toEqual(['--help']);
    expect(commandFirst(['--version'])).toEqual(['--version']);
  });
});
