import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../errors.js';
import { ReplicationTimeout } from './script.js';
import { translateRedisError } from './translate-errors.js';

const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

describe('translateRedisError', () => {
  it('calls a failover in progress an outage: a demoted master, a cluster without its slots', () => {
    for (const err of [
      reply("READONLY You can't write against a read only replica."),
      reply('ERR WAIT cannot be used with replica instances.'),
      reply('UNBLOCKED force unblock from blocking operation, instance state changed'),
      reply('CLUSTERDOWN The cluster is down'),
      // A slot moved by the failover, in a pipeline the client does not redirect (script.ts).
      reply('MOVED 13175 127.0.0.1:21920'),
      new Error("Cluster isn't ready and enableOfflineQueue options is false"),
      new Error('All sentinels are unreachable. Retrying from scratch after 100ms.'),
      Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' }),
      // The master crashed between a script's reply and its WAIT's: the write is not confirmed.
      Object.assign(new Error('Command aborted due to connection close'), { name: 'AbortError' }),
    ]) {
      expect(translateRedisError('jwtState', err), err.message).toBeInstanceOf(StoreUnavailable);
    }
  });

  it('calls a write its replicas did not confirm an outage (503), not a bug', () => {
    const err = translateRedisError('sessions', new ReplicationTimeout('a write reached 0 of 1 replica(s)'));
    expect(err).toMatchObject({ name: 'StoreUnavailable', store: 'sessions' });
  });

  it('leaves an error of the command itself as it is', () => {
    const bug = reply('ERR Error running script: attempt to compare nil with number');
    expect(translateRedisError('jwtState', bug)).toBe(bug);
  });
});
