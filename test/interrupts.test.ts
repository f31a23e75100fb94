/**
 * Interrupting the embedded server's start leaves nothing behind: no `foodsave-pg-*` folder (the
 * binaries' copy, the data, the password file) and no process running from it.
 *
 * Each case runs the real program in its own process group with TMPDIR set to a fresh empty folder and
 * DATABASE_URL unset, waits for a moment of the start (binaries being copied, initdb running, the server
 * starting, the server running), then does what a runner does on Ctrl-C: SIGINT to the whole group,
 * SIGKILL 60 ms later if anything in it is still alive. Some cases send SIGKILL alone, which no handler
 * sees: the detached reaper must clean up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const vitest = path.join(root, 'node_modules/.bin/vitest');
const PREFIX = 'foodsave-pg-';
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

type Moment = (state: { tmp: string; output: string }) => boolean;

/** The embedded server's folder, once it exists. */
function folderIn(tmp: string): string | undefined {
  const name = readdirSync(tmp).find((n) => n.startsWith(PREFIX) && !n.endsWith('-stale'));
  return name && path.join(tmp, name);
}

const moments = {
  /** The binaries are being copied into the folder (TEST_PG_COPY_BINARIES=1). */
  copying: ({ tmp }) => {
    const folder = folderIn(tmp);
    return folder !== undefined && existsSync(path.join(folder, 'native', 'bin'));
  },
  /** initdb has begun writing the data folder. */
  initdb: ({ tmp }) => {
    const folder = folderIn(tmp);
    return folder !== undefined && existsSync(path.join(folder, 'data', 'base'));
  },
  /** The postmaster is up but may not accept connections yet. */
  starting: ({ tmp }) => {
    const folder = folderIn(tmp);
    return folder !== undefined && existsSync(path.join(folder, 'data', 'postmaster.pid'));
  },
  /** The example has its server and is migrating. */
  running: ({ output }) => output.includes('DATABASE_URL is unset: started'),
} satisfies Record<string, Moment>;

/** Live (not zombie) processes whose command line or working directory is inside `dir`. */
function processesFrom(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat[stat.lastIndexOf(')') + 2] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${name}/cwd`);
      } catch {
        // Exited meanwhile.
      }
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${name}: ${cmdline.slice(0, 100)} (cwd ${cwd})`);
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}

/** Whether any process of the group is alive (zombies, which wait for init to reap them, are not). */
function groupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && Number(group) === pgid) return true;
    } catch {
      // Exited meanwhile.
    }
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number, stepMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(stepMs);
  }
  return condition();
}

interface Case {
  /** The command, run from the repository root. */
  command: string[];
  moment: keyof typeof moments;
  /** SIGINT then SIGKILL after 60 ms (a runner's Ctrl-C), or SIGKILL alone. */
  signal: 'SIGINT' | 'SIGKILL';
  copyBinaries?: boolean;
}

interface Outcome {
  leftovers: string[];
  processes: string[];
  groupAlive: boolean;
  staleLeft: boolean;
  output: string;
}

async function interrupt({ command, moment, signal, copyBinaries }: Case): Promise<Outcome> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'fsdb-interrupts-'));
  scratch.push(tmp);
  // The postgres user must reach the server's folder inside it.
  chmodSync(tmp, 0o755);
  // A folder left by a process that is gone: the start removes it.
  const stale = path.join(tmp, `${PREFIX}stale`);
  mkdirSync(path.join(stale, 'data'), { recursive: true });
  writeFileSync(path.join(stale, 'owner'), '999999999\n');

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'DATABASE_URL' && key !== 'TEST_DATABASE_URL') env[key] = value;
  }
  env.TMPDIR = tmp;
  env.TEST_PG_COPY_BINARIES = copyBinaries ? '1' : '0';
  const [file, ...args] = command as [string, ...string[]];
  const child: ChildProcess = spawn(file, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const pgid = child.pid!;
  try {
    const reached = await waitFor(() => moments[moment]({ tmp, output }), 40_000);
    if (!reached) throw new Error(`the moment "${moment}" never came; output:\n${output}`);
    if (signal === 'SIGINT') {
      process.kill(-pgid, 'SIGINT');
      await sleep(60);
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
    } else {
      process.kill(-pgid, 'SIGKILL');
    }
    const leftovers = () => readdirSync(tmp).filter((n) => n.startsWith(PREFIX) && path.join(tmp, n) !== stale);
    const clean = () => leftovers().length === 0 && !existsSync(stale) && processesFrom(tmp).length === 0 && !groupAlive(pgid);
    await waitFor(clean, 5000, 25);
    return {
      leftovers: leftovers(),
      processes: processesFrom(tmp),
      groupAlive: groupAlive(pgid),
      staleLeft: existsSync(stale),
      output,
    };
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  }
}

const example = [tsx, 'examples/quickstart.ts'];
// The test setup's path: vitest's global setup starts the server (the file itself never runs).
const testSetup = [vitest, 'run', 'test/units.test.ts', '--reporter=dot'];

const cases: Array<Case & { name: string }> = [
  { name: 'example, Ctrl-C while the binaries are copied', command: example, moment: 'copying', signal: 'SIGINT', copyBinaries: true },
  { name: 'example, Ctrl-C during initdb', command: example, moment: 'initdb', signal: 'SIGINT' },
  { name: 'example, Ctrl-C while the server starts', command: example, moment: 'starting', signal: 'SIGINT' },
  { name: 'example, Ctrl-C while it runs', command: example, moment: 'running', signal: 'SIGINT' },
  { name: 'example, SIGKILL while the binaries are copied', command: example, moment: 'copying', signal: 'SIGKILL', copyBinaries: true },
  { name: 'example, SIGKILL while the server starts', command: example, moment: 'starting', signal: 'SIGKILL' },
  { name: 'test setup, Ctrl-C during initdb', command: testSetup, moment: 'initdb', signal: 'SIGINT' },
  { name: 'test setup, SIGKILL while the server starts', command: testSetup, moment: 'starting', signal: 'SIGKILL' },
];

describe.skipIf(process.platform !== 'linux')('interrupting the embedded server start leaves nothing behind', () => {
  for (const c of cases) {
    it(c.name, { timeout: 60_000 }, async () => {
      const outcome = await interrupt(c);
      const context = `output:\n${outcome.output.slice(-2000)}`;
      expect(outcome.leftovers, context).toEqual([]);
      expect(outcome.processes, context).toEqual([]);
      expect(outcome.groupAlive, context).toBe(false);
      expect(outcome.staleLeft, 'the folder of a process that is gone').toBe(false);
    });
  }
});
