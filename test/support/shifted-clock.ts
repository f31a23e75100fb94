/**
 * Running tests on a later day than today, with libfaketime (Debian's `libfaketime`): every process the
 * run starts, the tests and the PostgreSQL server alike, reads a clock moved `days` ahead. A test that
 * wrote a date close to the day it was written (a lot expiring "next week", a report "for this decade")
 * fails here years before the calendar would break it in CI.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { dayFromToday } from './fixtures.js';
import { withClient } from './with-client.js';

/** How far the `later` pass moves the clock: ten years. */
export const SHIFT_DAYS = 3653;

const LIB_DIRS = ['/usr/lib/faketime', '/usr/local/lib/faketime'];

/** The preload library's path, or undefined: see {@link LIBFAKETIME_MISSING}. */
export function findLibfaketime(): string | undefined {
  const multiarch = existsSync('/usr/lib')
    ? readdirSync('/usr/lib', { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name.endsWith('-linux-gnu'))
        .map((entry) => path.join('/usr/lib', entry.name, 'faketime'))
    : [];
  // The MT build serialises its own state behind a mutex: Node and PostgreSQL's parallel workers use threads.
  return [...multiarch, ...LIB_DIRS].map((dir) => path.join(dir, 'libfaketimeMT.so.1')).find((file) => existsSync(file));
}

export const LIBFAKETIME_MISSING = `libfaketimeMT.so.1 is not in /usr/lib/*-linux-gnu/faketime or ${LIB_DIRS.join(', ')} (apt-get install faketime)`;

/**
 * The environment that moves every process started with it `days` ahead. `TEST_CLOCK_NOT_BEFORE` (a day
 * earlier than the target, for a run that crosses midnight) lets the run's setup prove that the shift took.
 */
export function shiftedClockEnv(library: string, base: NodeJS.ProcessEnv, days = SHIFT_DAYS): NodeJS.ProcessEnv {
  return {
    ...base,
    LD_PRELOAD: [base.LD_PRELOAD, library].filter(Boolean).join(' '),
    FAKETIME: `+${days}d`,
    // Timers, deadlines and pool ages measure intervals on the monotonic clock: leave it real.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    TEST_CLOCK_NOT_BEFORE: dayFromToday(days - 1),
  };
}

/**
 * With `TEST_CLOCK_NOT_BEFORE` set, fails unless this process and the server at `serverUrl` both read a
 * day on or after it: a pass meant to run later must not quietly run today.
 */
export async function checkShiftedClock(serverUrl: string): Promise<string | undefined> {
  const notBefore = process.env.TEST_CLOCK_NOT_BEFORE;
  if (!notBefore) return undefined;
  const here = dayFromToday(0);
  const { rows } = await withClient(serverUrl, (client) => client.query<{ d: string }>('SELECT current_date::text AS d'));
  const server = rows[0]!.d;
  if (here < notBefore || server < notBefore) {
    throw new Error(`TEST_CLOCK_NOT_BEFORE=${notBefore}, but the tests read ${here} and the server ${server}: the clock was not moved (is LD_PRELOAD honoured?)`);
  }
  return `[foodsave-db tests] the clock reads ${here} here and ${server} on the server (moved ahead by libfaketime)`;
}
