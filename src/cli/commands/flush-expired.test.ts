import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeGatehouse } from '../../../test/helpers/gatehouse.js';
import type { GatehouseConfigInput } from '../../core/config.js';
import type { AuditEvent } from '../../stores/types.js';
import { parseArgs } from '../args.js';
import type { CommandEnv } from '../command.js';
import { flushExpiredCommand } from './flush-expired.js';

const DAY = 86_400_000;

/** Runs `gatehouse flush-expired` in process over a gatehouse with audit events `ageDays` old. */
async function flush(config: Partial<GatehouseConfigInput>, ageDays: number[]) {
  const t = await makeGatehouse(config);
  const now = t.clock.now();
  for (const age of ageDays) {
    const event: AuditEvent = {
      at: now - age * DAY,
      event: `login_failed_${age}`,
      userId: null,
      username: 'x',
      ip: '203.0.113.7',
      userAgent: '',
      scheme: 'session',
      detail: {},
    };
    await t.stores.audit.append(event);
  }
  const out: string[] = [];
  const env: CommandEnv = {
    io: { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: '.' },
    print: (line) => out.push(line),
    open: async () => t.gh.services,
    readSecret: () => Promise.reject(new Error('no secrets here')),
  };
  const code = await flushExpiredCommand.run(parseArgs([], flushExpiredCommand.flags), env);
  const left = (await t.stores.audit.list({ limit: 100 })).map((e) => e.event);
  return { code, out: out.join('\n'), left };
}

describe('gatehouse flush-expired and audit.retention', () => {
  it('deletes audit events older than the default 90 days, and keeps the rest', async () => {
    const res = await flush({}, [400, 91, 89, 1]);
    expect(res.code).toBe(0);
    expect(res.out).toContain('Deleted 2 audit events older than 90 days.');
    expect(res.left).toEqual(['login_failed_1', 'login_failed_89']);
  });

  it('follows a configured retention', async () => {
    const res = await flush({ audit: { retention: '7d' } }, [8, 6]);
    expect(res.out).toContain('Deleted 1 audit events older than 7 days.');
    expect(res.left).toEqual(['login_failed_6']);
  });

  it('keeps every event when retention is null, and says so', async () => {
    const res = await flush({ audit: { retention: null } }, [4000]);
    expect(res.out).toContain('Audit events are kept (audit.retention is null).');
    expect(res.left).toEqual(['login_failed_4000']);
  });
});
