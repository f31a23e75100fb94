/**
 * Each connection's query deadlines share one watch timer (src/engine/pg-driver.ts). These check what a
 * timer per query gave for free: a shorter deadline after a longer one still fires on time, queued
 * queries each keep their own, and a query that answers is never expired afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { QueryTimeoutError } from '../src/index.js';
import { DeadlineClient } from '../src/engine/pg-driver.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'deadline_watch' });
const clients: DeadlineClient[] = [];

async function client(deadlineMs: number): Promise<DeadlineClient> {
  const c = new DeadlineClient({ connectionString: t.url, query_timeout: deadlineMs });
  c.on('error', () => undefined);
  clients.push(c);
  await c.connect();
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
});

describe('the deadline watch of a connection', () => {
  it('expires a query whose own deadline is shorter than the one the watch was armed for', async () => {
    const c = await client(60_000);
    await c.query('SELECT 1'); // arms the watch a minute ahead
    c.nextDeadlineMs = 150;
    const error = await c.query('SELECT pg_sleep(20)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).limit).toBe('deadline');
  });

  it('re-arms for a query still in flight when the watch fires for an earlier one that answered', async () => {
    const c = await client(1_000);
    await c.query('SELECT pg_sleep(0.2)'); // answers in time; the watch stays armed for its deadline
    const error = await c.query('SELECT pg_sleep(20)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeoutError);
  });

  it('keeps each queued query to its own deadline, and never expires a connection whose queries answered', async () => {
    const c = await client(4_000);
    const started = performance.now();
    const results = await Promise.all([c.query('SELECT pg_sleep(0.1)'), c.query('SELECT pg_sleep(0.1)'), c.query('SELECT pg_sleep(0.1)')]);
    expect(results).toHaveLength(3);
    // The watch fires after the last answer and finds nothing in flight: the connection stays usable.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 4_300 - (performance.now() - started))));
    expect((await c.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    expect(c.expired).toBeUndefined();
  });

  it('lets no deadline (0) run as long as the query takes', async () => {
    const c = await client(0);
    await expect(c.query('SELECT pg_sleep(0.3)')).resolves.toBeDefined();
  });
});
