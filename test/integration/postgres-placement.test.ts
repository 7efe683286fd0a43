import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { freePort, postgresPlacement, startPostgres } from '@rollplan/devstack';

// `npm start` from a folder the postgres user cannot enter (issue 13, item 9): root's home and
// every `mktemp -d` are mode 700. The cluster is kept where PostgreSQL can reach it, and the next
// start of the same folder finds it again.
describe('a local PostgreSQL for a clone in a private folder', () => {
  const privateDir = mkdtempSync(join(tmpdir(), 'rollplan-private-')); // mode 700, owned by the caller
  const dataDir = join(privateDir, 'clone', '.rollplan', 'data', 'postgres');
  afterAll(() => {
    const placed = postgresPlacement(dataDir);
    if (placed.movedBecause) rmSync(dirname(placed.dataDir), { recursive: true, force: true });
    rmSync(privateDir, { recursive: true, force: true });
  });

  it('starts, keeps its data across a restart, and says where it lives', async () => {
    const placed = postgresPlacement(dataDir);
    if (userInfo().uid === 0) expect(placed.movedBecause).toBe(`the postgres user cannot enter ${privateDir}`);
    const port = await freePort();
    const options = { dataDir, port, logFile: join(privateDir, 'postgres.log'), database: 'placement', ephemeral: true };
    const first = await startPostgres(options);
    const query = async (url: string, sql: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await first.stop();
    const second = await startPostgres(options);
    try {
      expect(await query(second.url, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
