/**
 * The read-scaling row of `npm run bench`: read throughput at concurrency 16 against the primary alone,
 * then against the primary plus two streaming replicas, on one real cluster (test/support/replication-cluster.ts).
 * Both engines run the same calls on the same data, in alternating rounds.
 */
import os from 'node:os';
import pg from 'pg';
import type { Engine } from '../src/index.js';
import { lib } from './library.js';
import { CONCURRENCY, median, throughput } from './measure.js';
import { replicationMissingReason, startReplicationCluster } from '../test/support/replication-cluster.js';

const { createEngine, createFoodsave, runMigrations } = lib;

const ROUNDS = 6;
const USERS = 2_000;
const CONVERSATIONS_PER_USER = 10;

export interface ReadScaling {
  /** Markdown lines for RESULTS.md. */
  lines: string[];
}

/** Measures, or says why it could not. */
export async function measureReadScaling(secondsPerRound: number): Promise<ReadScaling> {
  const missing = replicationMissingReason();
  if (missing) return { lines: [`Not measured: ${missing}`] };
  const cluster = await startReplicationCluster({ settings: { shared_buffers: '128MB' } });
  const engines: Engine[] = [];
  try {
    const admin = new pg.Client({ connectionString: cluster.primary.url });
    await admin.connect();
    await admin.query('CREATE DATABASE foodsave_read_scaling');
    await admin.end();
    const url = (node: typeof cluster.primary) => cluster.urlFor(node, 'foodsave_read_scaling');
    const primaryOnly = createEngine({ url: url(cluster.primary), env: {}, poolSize: CONCURRENCY, maxOverflow: 0 });
    const withReplicas = createEngine({
      url: url(cluster.primary),
      replicaUrls: [url(cluster.standby1), url(cluster.standby2)],
      env: {},
      poolSize: CONCURRENCY,
      maxOverflow: 0,
    });
    engines.push(primaryOnly, withReplicas);
    await runMigrations(primaryOnly);
    const userIds = await loadConversations(url(cluster.primary));
    await cluster.waitForCatchUp();
    const { primary, replicas } = await alternateRounds(userIds, { primary: primaryOnly, replicas: withReplicas }, secondsPerRound);
    const states = withReplicas.replicaStatus().map((r) => `${r.name} ${r.state}`).join(', ');
    return { lines: report(primary, replicas, states, secondsPerRound) };
  } finally {
    await Promise.all(engines.map((e) => e.close()));
    await cluster.stop();
  }
}

/** Users with their conversations, on the primary; returns the users' ids. */
async function loadConversations(url: string): Promise<string[]> {
  const loader = new pg.Client({ connectionString: url });
  await loader.connect();
  try {
    await loader.query(
      `INSERT INTO users (id, username, email) SELECT gen_random_uuid(), 'u' || g, 'u' || g || '@example.com' FROM generate_series(1, ${USERS}) g`,
    );
    await loader.query(
      `INSERT INTO conversations (id, user_id, session_id, title)
         SELECT gen_random_uuid(), u.id, u.username || '-' || g, 'Dinner ideas ' || g FROM users u, generate_series(1, ${CONVERSATIONS_PER_USER}) g`,
    );
    await loader.query('ANALYZE');
    return (await loader.query<{ id: string }>('SELECT id FROM users')).rows.map((r) => r.id);
  } finally {
    await loader.end();
  }
}

/** The median throughput of each side over alternating rounds, after a warm-up. */
async function alternateRounds(userIds: string[], engines: { primary: Engine; replicas: Engine }, secondsPerRound: number): Promise<{ primary: number; replicas: number }> {
  const call = (engine: Engine) => {
    const db = createFoodsave(engine);
    return () => db.forUser(userIds[Math.floor(Math.random() * userIds.length)]!).conversations.list({ limit: 10 });
  };
  const sides = { primary: call(engines.primary), replicas: call(engines.replicas) };
  for (const side of Object.values(sides)) for (let i = 0; i < 200; i++) await side();
  const runs = { primary: [] as number[], replicas: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['primary', 'replicas'] as const) : (['replicas', 'primary'] as const);
    for (const side of order) runs[side].push((await throughput(sides[side], secondsPerRound)).ops);
  }
  return { primary: median(runs.primary), replicas: median(runs.replicas) };
}

function report(primary: number, replicas: number, states: string, secondsPerRound: number): string[] {
  return [
    `A user's conversations (\`forUser(id).conversations.list({ limit: 10 })\`, ${USERS.toLocaleString('en')} users with ${CONVERSATIONS_PER_USER} conversations each), ` +
      `${CONCURRENCY} concurrent callers, ${ROUNDS} alternating rounds of ${secondsPerRound} s, medians, on a primary and two \`pg_basebackup -R\` standbys ` +
      `(Debian's PostgreSQL 15; replicas at the end: ${states}). All three servers and the client share this machine's ${os.cpus().length} cores, ` +
      'which bounds the ratio: spare replicas on other machines add their own cores.',
    '',
    '| reads go to | throughput | ratio |',
    '| --- | --- | --- |',
    `| the primary alone | ${primary.toFixed(0)}/s | 1.00 |`,
    `| the primary plus 2 replicas (reads on the replicas) | ${replicas.toFixed(0)}/s | ${(replicas / primary).toFixed(2)} |`,
  ];
}
