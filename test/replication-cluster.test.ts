/**
 * The streaming-replication harness itself (test/support/replication-cluster.ts), before any library
 * test leans on it: a real primary and two hot standbys of Debian's PostgreSQL 15, replay paused and
 * resumed, and a failover with a standby following the promoted one. Skips with the reason printed
 * when the server binaries are missing (a failure in CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentMissing } from './support/components.js';
import { rawQuery as query } from './support/test-database.js';
import { replicationMissingReason, startReplicationCluster, type ClusterNode, type ReplicationCluster } from './support/replication-cluster.js';

/** The ids in the probe table as `node` sees them. */
async function ids(node: ClusterNode, url = node.url): Promise<number[]> {
  return (await query<{ id: number }>(url, 'SELECT id FROM replication_probe ORDER BY id')).map((r) => r.id);
}

/** The SQLSTATE of the error `promise` rejects with. */
async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code;
  }
  throw new Error('expected the statement to fail');
}

/** Polls until `node` has the row `id`, for at most 15 s. */
async function waitForRow(node: ClusterNode, id: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await ids(node)).includes(id)) {
    if (Date.now() > deadline) throw new Error(`${node.name} did not get row ${id} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(componentMissing('streaming replication', replicationMissingReason()))('a streaming-replication cluster', () => {
  let cluster: ReplicationCluster;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startReplicationCluster();
    console.log(`[replication-cluster] primary and two standbys up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await query(cluster.primary.url, 'CREATE TABLE replication_probe (id integer PRIMARY KEY, note text NOT NULL)');
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('a row written on the primary is readable on both standbys after waitForCatchUp, and a write on a standby fails with SQLSTATE 25006', async () => {
    const { primary, standby1, standby2 } = cluster;
    expect(new Set([primary.port, standby1.port, standby2.port]).size).toBe(3);
    for (const standby of [standby1, standby2]) {
      expect((await query<{ recovery: boolean }>(standby.url, 'SELECT pg_is_in_recovery() AS recovery'))[0]!.recovery).toBe(true);
    }
    // Each standby streams under its own name.
    const senders = await query<{ application_name: string; state: string }>(
      primary.url,
      'SELECT application_name, state FROM pg_stat_replication ORDER BY application_name',
    );
    expect(senders).toEqual([
      { application_name: 'standby1', state: 'streaming' },
      { application_name: 'standby2', state: 'streaming' },
    ]);

    await query(primary.url, "INSERT INTO replication_probe VALUES (1, 'from the primary')");
    await cluster.waitForCatchUp();
    expect(await ids(standby1)).toEqual([1]);
    expect(await ids(standby2, cluster.urlFor(standby2, 'postgres'))).toEqual([1]);

    for (const standby of [standby1, standby2]) {
      expect(await sqlState(query(standby.url, "INSERT INTO replication_probe VALUES (99, 'on a standby')"))).toBe('25006');
    }
    expect(await ids(primary)).toEqual([1]);
  });

  it('pauseReplay on standby2 holds back rows written afterwards (standby2 does not see them, standby1 does), resumeReplay lets it catch up', async () => {
    const { primary, standby1, standby2 } = cluster;
    await standby2.pauseReplay();
    try {
      await query(primary.url, "INSERT INTO replication_probe VALUES (2, 'while standby2 is paused')");
      const [{ lsn }] = (await query<{ lsn: string }>(primary.url, 'SELECT pg_current_wal_lsn()::text AS lsn')) as [{ lsn: string }];
      await waitForRow(standby1, 2);
      // standby2 has received the WAL with the row (so only the pause holds it back) but not replayed it.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const [row] = await query<{ received: boolean }>(standby2.url, 'SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn AS received', [lsn]);
        if (row!.received) break;
        if (Date.now() > deadline) throw new Error('standby2 did not receive the WAL within 15 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await query<{ state: string }>(standby2.url, 'SELECT pg_get_wal_replay_pause_state() AS state'))[0]!.state).toBe('paused');
      expect(await ids(standby2)).toEqual([1]);
      expect(await ids(standby1)).toEqual([1, 2]);
    } finally {
      await standby2.resumeReplay();
    }
    await cluster.waitForCatchUp();
    expect(await ids(standby2)).toEqual([1, 2]);
  });

  it('failover: the primary stops, standby1 is promoted and takes writes, standby2 follows it and gets its rows', async () => {
    const { primary, standby1, standby2 } = cluster;
    await primary.stop('fast');
    expect(primary.running()).toBe(false);

    await standby1.promote();
    expect((await query<{ recovery: boolean }>(standby1.url, 'SELECT pg_is_in_recovery() AS recovery'))[0]!.recovery).toBe(false);
    await query(standby1.url, "INSERT INTO replication_probe VALUES (3, 'on the promoted standby1')");

    await standby2.followPrimary(standby1);
    const [receiver] = await query<{ sender_port: number; status: string }>(standby2.url, 'SELECT sender_port, status FROM pg_stat_wal_receiver');
    expect(receiver).toEqual({ sender_port: standby1.port, status: 'streaming' });

    await query(standby1.url, "INSERT INTO replication_probe VALUES (4, 'after standby2 follows')");
    await cluster.waitForCatchUp(standby1);
    expect(await ids(standby2)).toEqual([1, 2, 3, 4]);
    expect((await query<{ recovery: boolean }>(standby2.url, 'SELECT pg_is_in_recovery() AS recovery'))[0]!.recovery).toBe(true);
    expect(await sqlState(query(standby2.url, "INSERT INTO replication_probe VALUES (99, 'on a standby')"))).toBe('25006');
    // standby1 is on a new timeline and standby2 replays it.
    const [timeline] = await query<{ tli: number }>(standby2.url, 'SELECT received_tli AS tli FROM pg_stat_wal_receiver');
    expect(timeline!.tli).toBeGreaterThan(1);
  });
});
