/**
 * A test whose real component (PgBouncer, openssl, a pg_dump) is missing skips with a printed reason,
 * except in CI (`FOODSAVE_TEST_REQUIRE_COMPONENTS=1`), where every component is installed and a missing
 * one is a failure, never a silent skip.
 */
export function componentMissing(component: string, reason: string | undefined): boolean {
  if (reason === undefined) return false;
  if (process.env.FOODSAVE_TEST_REQUIRE_COMPONENTS === '1') {
    throw new Error(`${component} is required here (FOODSAVE_TEST_REQUIRE_COMPONENTS=1) but missing: ${reason}`);
  }
  console.warn(`[foodsave-db tests] skipping the ${component} tests: ${reason}`);
  return true;
}

/** Why no pg_dump and pg_restore usable for this server major are installed, or undefined when they are. */
export async function pgToolsMissingReason(serverMajor: number): Promise<string | undefined> {
  const { findPgBinary } = await import('../../src/ops/pg-binaries.js');
  try {
    await findPgBinary('pg_dump', serverMajor);
    await findPgBinary('pg_restore', serverMajor);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The major version of the run's test server. */
export function serverMajor(versionNum: number): number {
  return Math.floor(versionNum / 10_000);
}
