import pg from 'pg';

/**
 * Runs `work` on a pg connection of its own to `url`, then closes it. No vitest import, so global setup
 * (the main process) can use it as well as the test files.
 */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
