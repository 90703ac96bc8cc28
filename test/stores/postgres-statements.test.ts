import { describe, expect, it } from 'vitest';
import { openStores } from '../../src/stores/open.js';
import { describeUnavailable } from '../helpers/required.js';
import { freshPostgres, POSTGRES_URL } from './backends.js';
import { apiToken, session, T0 } from './fixtures.js';

const TITLE = 'the per-request lookups on postgres (named prepared statements)';
if (!POSTGRES_URL) describeUnavailable(TITLE, 'GATEHOUSE_TEST_POSTGRES_URL is not set', ['postgres']);

describe.skipIf(!POSTGRES_URL)(TITLE, () => {
  it('keep answering when a later migration adds a column while this instance runs', async () => {
    const { url, drop } = await freshPostgres();
    const stores = await openStores({ database: url });
    try {
      const user = await stores.users.create({ username: 'ann', passwordHash: 'x', dateJoined: T0 });
      const t = apiToken({ userId: user.id });
      const s = session({ userId: user.id });
      await stores.apiTokens.create(t);
      await stores.sessions.create(s);
      // Many at once, so that several of the pool's connections prepare each statement.
      const lookups = () =>
        Promise.all(
          Array.from({ length: 12 }, () =>
            Promise.all([
              stores.users.findById(user.id),
              stores.apiTokens.findByDigest(t.digest),
              stores.sessions.findByDigest(s.digest),
              stores.apiTokens.withUser!.findByDigest(t.digest),
              stores.sessions.withUser!.findByDigest(s.digest),
            ]),
          ),
        );
      const before = await lookups();
      expect(before[0]).toEqual([user, t, s, { record: t, user }, { record: s, user }]);

      // What a newer instance's migration does during a rolling deploy. A statement prepared as
      // `select *` would now fail on every connection that holds it.
      const { default: pg } = await import('pg');
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      for (const table of ['gatehouse_users', 'gatehouse_sessions', 'gatehouse_api_tokens'])
        await admin.query(`alter table ${table} add column added_later text`);
      await admin.end();

      expect(await lookups()).toEqual(before);
    } finally {
      await stores.close();
      await drop();
    }
  });
});
