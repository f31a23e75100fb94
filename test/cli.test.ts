import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { COMMANDS, helpText, parseCommandLine, type OptionName } from '../src/cli-args.js';
import { confirm, requireConfirmation } from '../src/cli-confirm.js';
import { Declined, UsageError } from '../src/cli-errors.js';
import { migrations } from '../src/entries/migrations.js';
import { componentMissing, pgToolsMissingReason, serverMajor } from './support/components.js';
import { cliPath, runCli, runCliOnTerminal, terminalMissingReason, type CliResult } from './support/run-cli.js';
import { useTestDatabase } from './support/test-database.js';

const t = useTestDatabase({ label: 'cli', migrate: false });
const names = migrations.map((m) => m.name);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HINT = "Run 'foodsave-db --help' for usage.";
/** Nothing listens here: a command that tried to connect would fail with a connection error. */
const NOWHERE = { DATABASE_URL: 'postgres://u:pw-nowhere@127.0.0.1:1/db' };

/** A usage error: exit 2, nothing on stdout, exactly one line saying what is wrong and one hint. */
function expectUsageError(r: CliResult, what: string | RegExp, hint = HINT): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^foodsave-db: /);
  if (typeof what === 'string') expect(lines[0]).toContain(what);
  else expect(lines[0]).toMatch(what);
  expect(lines[1]).toBe(hint);
}

/** Fake dumps (listing and pruning read only their names), oldest first. */
async function backupFolder(count: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'foodsave-cli-prune-'));
  for (let i = 1; i <= count; i++) {
    const file = path.join(dir, `backup_2026010${i}_000000.dump`);
    await writeFile(file, 'dump');
    await writeFile(`${file}.sha256`, 'x');
  }
  return dir;
}

/** The README's "The command" block. */
function readmeCommandBlock(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### The command'));
  const match = /\n```\n([\s\S]*?)```\n/.exec(section);
  expect(match, 'a code block under "### The command" in README.md').not.toBeNull();
  return match![1]!;
}

const optionsIn = (text: string) => [...new Set(text.match(/(?<![\w-])--?[a-z][a-z-]*/g) ?? [])].sort();
const commandsIn = (text: string) => (text.match(/^ {2}(migrate|backup|health)\b.*$/gm) ?? []).map((l) => l.trim()).sort();
const exitCodesIn = (text: string) => (text.match(/^ {2}\d {2}.*$/gm) ?? []).map((l) => l.trim());

describe('foodsave-db --help and --version', () => {
  it('prints the help with exit 0 and nothing on stderr (-h too), and the version', async () => {
    const help = await runCli(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toBe(helpText());
    expect((await runCli(['-h'])).stdout).toBe(help.stdout);
    expect((await runCli(['migrate', 'up', '--help'])).stdout).toBe(help.stdout);
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect((await runCli(['-v'])).stdout).toBe(version.stdout);
  });

  it('matches the README: the same options, commands and exit codes, and the very same text', async () => {
    const help = (await runCli(['--help'])).stdout;
    const readme = readmeCommandBlock();
    expect(optionsIn(readme)).toEqual(optionsIn(help));
    expect(optionsIn(help)).toEqual(expect.arrayContaining(['--yes', '--to', '--all', '--lock-timeout', '--json', '--dir', '--clean', '--keep', '--timeout', '--help', '-h', '--version', '-v']));
    expect(commandsIn(readme)).toEqual(commandsIn(help));
    expect(commandsIn(help)).toHaveLength(COMMANDS.length);
    expect(exitCodesIn(readme)).toEqual(exitCodesIn(help));
    expect(exitCodesIn(help).map((l) => l[0])).toEqual(['0', '1', '2', '3']);
    expect(readme).toBe(help);
  });

  it('each command takes exactly the options its usage line shows', () => {
    const every: OptionName[] = ['to', 'all', 'lock-timeout', 'json', 'dir', 'from-standby', 'clean', 'keep', 'timeout', 'yes'];
    const values: Record<OptionName, string[]> = {
      to: ['--to', names[0]!], all: ['--all'], 'lock-timeout': ['--lock-timeout', '5'], json: ['--json'], dir: ['--dir', '/tmp'],
      'from-standby': ['--from-standby'], clean: ['--clean'], keep: ['--keep', '1'], timeout: ['--timeout', '100'], yes: ['--yes'],
    };
    for (const line of commandsIn(readmeCommandBlock())) {
      const command = COMMANDS.find((c) => line.startsWith(`${c.name} `) || line === c.name)!;
      const shown = optionsIn(line);
      const base = [...command.name.split(' '), ...(command.file ? ['file.dump'] : []), ...(command.name === 'backup prune' ? ['--keep', '1'] : [])];
      for (const option of every) {
        const parse = () => parseCommandLine([...base, ...values[option]]);
        if (shown.includes(`--${option}`)) expect(parse, `${command.name} --${option}`).not.toThrow();
        else expect(parse, `${command.name} --${option}`).toThrow(/does not apply/);
      }
    }
  });

  it('starts quickly: --help and --version in under 0.5 s (best of 3), loading no database module', async () => {
    for (const flag of ['--help', '--version']) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) times.push((await runCli([flag])).ms);
      const best = Math.min(...times);
      console.log(`[foodsave-db tests] foodsave-db ${flag}: best of 3 ${best.toFixed(0)} ms (${times.map((ms) => ms.toFixed(0)).join(', ')} ms)`);
      // Issue 11 sets this bound for the command's start-up; the best of three runs leaves out a
      // machine busy with other test files. It took about 0.15 s here, against 1.4-2.5 s before.
      expect(best).toBeLessThan(500);
    }
  });

  it('imports no database module statically: sequelize, pg, umzug and zod load only through import()', () => {
    const seen = new Set<string>();
    const bare: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)";|^import\s*"([^"]+)";/gm)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('.')) walk(path.resolve(path.dirname(file), spec));
        else bare.push(spec);
      }
    };
    walk(cliPath);
    expect(existsSync(cliPath)).toBe(true);
    expect(bare.filter((s) => /^(sequelize|pg|pg-hstore|umzug|zod)(\/|$)/.test(s))).toEqual([]);
    // The commands do load them, from chunks of their own.
    expect(readFileSync(cliPath, 'utf8')).toMatch(/import\("\.\/create-engine-[\w-]+\.js"\)/);
  });
});

describe('foodsave-db usage errors: exit 2, one line and a hint', () => {
  const cases: [string, string[], string | RegExp][] = [
    ['no command', [], 'missing command: migrate, backup or health'],
    ['an unknown command', ['frobnicate'], "unknown command 'frobnicate'"],
    ['migrate without an action', ['migrate'], "'migrate' needs an action: up, down, status"],
    ['backup without an action', ['backup'], "'backup' needs an action: create, restore, verify, list, prune"],
    ['an unknown migrate action', ['migrate', 'sideways'], "unknown migrate action 'sideways'"],
    ['an unknown backup action', ['backup', 'sideways'], "unknown backup action 'sideways'"],
    ['an unknown option', ['migrate', 'up', '--bogus'], "unknown option '--bogus'"],
    ['an unknown short option', ['health', '-x'], "unknown option '-x'"],
    ['an unknown option alone', ['--bogus'], "unknown option '--bogus'"],
    ['an option of another command', ['migrate', 'up', '--dir', '/tmp'], "--dir does not apply to 'migrate up' (it takes --to, --lock-timeout)"],
    ['--yes where nothing is destructive', ['backup', 'create', '--yes'], "--yes does not apply to 'backup create'"],
    ['an option to a command that takes none', ['backup', 'verify', 'x.dump', '--json'], "--json does not apply to 'backup verify' (it takes no options)"],
    ['a missing option value', ['migrate', 'up', '--to'], "option '--to <value>' argument missing"],
    ['an empty option value', ['migrate', 'up', '--to', ''], '--to needs a value'],
    ['an empty --dir', ['backup', 'list', '--dir', ''], '--dir needs a value'],
    ['a value for a flag', ['health', '--json=yes'], "option '--json' does not take an argument"],
    ['a value that looks like an option', ['backup', 'prune', '--keep', '-1'], "option '--keep' argument is ambiguous (for a value starting with '-', write --keep=VALUE)"],
    ['an unexpected argument', ['health', 'now'], "unexpected argument 'now' for 'health'"],
    ['an unexpected argument after migrate up', ['migrate', 'up', 'now'], "unexpected argument 'now' for 'migrate up'"],
    ['restore without FILE', ['backup', 'restore'], "'backup restore' needs a FILE"],
    ['verify without FILE', ['backup', 'verify'], "'backup verify' needs a FILE"],
    ['two FILEs', ['backup', 'restore', 'a.dump', 'b.dump'], "unexpected argument 'b.dump' for 'backup restore'"],
    ['--to with --all', ['migrate', 'down', '--to', names[0]!, '--all'], 'use --to NAME or --all, not both'],
    ['prune without --keep', ['backup', 'prune'], "'backup prune' needs --keep N"],
    ['a negative --keep', ['backup', 'prune', '--keep=-1'], "--keep must be a whole number (0 or more), got '-1'"],
    ['a fractional --keep', ['backup', 'prune', '--keep', '1.5'], "--keep must be a whole number (0 or more), got '1.5'"],
    ['a word for --keep', ['backup', 'prune', '--keep', 'all'], "--keep must be a whole number (0 or more), got 'all'"],
    ['a zero --timeout', ['health', '--timeout', '0'], "--timeout must be a positive number, got '0'"],
    ['a word for --timeout', ['health', '--timeout', 'soon'], "--timeout must be a positive number, got 'soon'"],
    ['a negative --lock-timeout', ['migrate', 'up', '--lock-timeout=-3'], "--lock-timeout must be a number of seconds (0 or more), got '-3'"],
    ['a word for --lock-timeout', ['migrate', 'down', '--lock-timeout', 'long'], "--lock-timeout must be a number of seconds (0 or more), got 'long'"],
  ];

  it.each(cases)('%s', async (_, args, what) => {
    // An unreachable database: a usage error is found before anything connects.
    expectUsageError(await runCli(args, NOWHERE), what);
  });

  it('an unknown migration, for migrate up and migrate down, in our words and with the known names', async () => {
    const statusHint = "Run 'foodsave-db migrate status' to see the migrations.";
    const last = names.at(-1)!;
    const near = await runCli(['migrate', 'up', '--to', `${last.split('-')[0]}-nope`], NOWHERE);
    expectUsageError(near, `unknown migration '${last.split('-')[0]}-nope'; did you mean ${last}?`, statusHint);
    const far = await runCli(['migrate', 'down', '--to', 'nope', '--yes'], NOWHERE);
    expectUsageError(far, `unknown migration 'nope'; the known ones are ${names[0]} ... ${last}`, statusHint);
  });
});

describe('foodsave-db destructive commands need a confirmation', () => {
  const dirs: string[] = [];
  const folder = async (count: number) => {
    const dir = await backupFolder(count);
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const dumps = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.dump')).sort();
  const refusal = (action: string) => `${action} needs --yes when stdin is not a terminal`;
  const yesHint = 'Add --yes to confirm, or run it on a terminal to be asked.';

  it('backup prune: refuses without --yes when stdin is not a terminal (--keep 0 too), deleting nothing', async () => {
    const dir = await folder(3);
    expectUsageError(await runCli(['backup', 'prune', '--keep', '1', '--dir', dir]), refusal('backup prune'), yesHint);
    expectUsageError(await runCli(['backup', 'prune', '--keep', '0', '--dir', dir], {}, { input: 'y\n' }), refusal('backup prune'), yesHint);
    expect(await dumps(dir)).toHaveLength(3);
    // Nothing to delete: nothing to confirm.
    expect(await runCli(['backup', 'prune', '--keep', '3', '--dir', dir])).toMatchObject({ code: 0, stdout: 'nothing to prune\n' });
  });

  it('backup prune --yes deletes all but the newest N, with their sidecars', async () => {
    const dir = await folder(3);
    const r = await runCli(['backup', 'prune', '--keep', '1', '--dir', dir, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(await dumps(dir)).toEqual(['backup_20260103_000000.dump']);
    expect(await readdir(dir)).toHaveLength(2);
    expect((await runCli(['backup', 'prune', '--keep', '0', '--dir', dir, '--yes'])).code).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('backup restore --clean: refuses without --yes, before reading the dump or connecting', async () => {
    const dir = await folder(1);
    const file = path.join(dir, 'backup_20260101_000000.dump');
    expectUsageError(await runCli(['backup', 'restore', file, '--clean'], NOWHERE), refusal('backup restore --clean'), yesHint);
    // With --yes it goes on, to the checksum (this fake dump has none that matches): the database is not reached.
    const yes = await runCli(['backup', 'restore', file, '--clean', '--yes'], NOWHERE);
    expect(yes.code).toBe(1);
    expect(yes.stderr).toMatch(/^foodsave-db: BACKUP_FAILED: .*corrupt or truncated/);
  });

  it('backup restore of a missing file says so, with the path, and does not touch the database', async () => {
    for (const args of [['backup', 'restore', '/nonexistent.dump'], ['backup', 'restore', '/nonexistent.dump', '--clean', '--yes'], ['backup', 'verify', '/nonexistent.dump']]) {
      const r = await runCli(args, NOWHERE);
      expect(r.code).toBe(1);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('foodsave-db: backup file not found: /nonexistent.dump');
      expect(lines).toHaveLength(2);
      expect(r.stderr).not.toMatch(/checksum|ECONNREFUSED|connect/i);
    }
    const relative = await runCli(['backup', 'restore', 'no/such.dump'], NOWHERE);
    expect(relative.stderr).toContain(`backup file not found: ${path.resolve('no/such.dump')}`);
  });

  describe.skipIf(terminalMissingReason !== undefined)('on a terminal (script(1))', () => {
    it('backup prune asks, and deletes only after y or yes', async () => {
      const dir = await folder(2);
      const no = await runCliOnTerminal(['backup', 'prune', '--keep', '0', '--dir', dir], 'n\n');
      expect(no.stdout).toContain(`Delete all 2 backups in ${dir}, oldest backup_20260101_000000.dump? [y/N]`);
      expect(no.stdout).toContain('foodsave-db: not confirmed; nothing was changed');
      expect(no.code).toBe(1);
      expect(await dumps(dir)).toHaveLength(2);
      const empty = await runCliOnTerminal(['backup', 'prune', '--keep', '1', '--dir', dir], '\n');
      expect(empty.code).toBe(1);
      expect(await dumps(dir)).toHaveLength(2);
      const yes = await runCliOnTerminal(['backup', 'prune', '--keep', '1', '--dir', dir], 'y\n');
      expect(yes.code, yes.stdout).toBe(0);
      expect(yes.stdout).toContain(`removed ${path.join(dir, 'backup_20260101_000000.dump')}`);
      expect(await dumps(dir)).toEqual(['backup_20260102_000000.dump']);
    });
  });
  if (terminalMissingReason) console.warn(`[foodsave-db tests] skipping the terminal prompt test: ${terminalMissingReason}`);
});

describe('confirm (the prompt, without a terminal)', () => {
  const ask = async (typed: string | null, over: { yes?: boolean; isTTY?: boolean } = {}) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    const answer = confirm('Delete it?', { yes: over.yes ?? false, isTTY: over.isTTY ?? true, input, output });
    if (typed === null) input.end();
    else input.write(typed);
    return { answer: await answer, shown };
  };

  it('takes y or yes in any case as yes, and anything else, an empty line or the end of input as no', async () => {
    for (const typed of ['y\n', 'Y\n', 'yes\n', ' YES \n']) expect((await ask(typed)).answer, typed).toBe('yes');
    for (const typed of ['n\n', '\n', 'no\n', 'yess\n', 'ok\n']) expect((await ask(typed)).answer, typed).toBe('no');
    expect((await ask(null)).answer).toBe('no');
    expect((await ask('y\n')).shown).toBe('Delete it? [y/N] ');
  });

  it('does not ask with --yes, and cannot ask when stdin is not a terminal', async () => {
    expect(await ask('n\n', { yes: true })).toEqual({ answer: 'yes', shown: '' });
    expect(await ask('y\n', { isTTY: false })).toEqual({ answer: 'cannot-ask', shown: '' });
  });

  it('requireConfirmation: a usage error when it cannot ask, Declined on no', async () => {
    const io = () => ({ input: Object.assign(new PassThrough(), { isTTY: false }), output: new PassThrough() });
    await expect(requireConfirmation('backup prune', 'Delete?', { yes: false, isTTY: false, ...io() })).rejects.toBeInstanceOf(UsageError);
    const { input, output } = io();
    const declined = requireConfirmation('backup prune', 'Delete?', { yes: false, isTTY: true, input, output });
    input.end('n\n');
    await expect(declined).rejects.toBeInstanceOf(Declined);
    await expect(requireConfirmation('backup prune', 'Delete?', { yes: true, isTTY: false, ...io() })).resolves.toBeUndefined();
  });
});

describe('foodsave-db migrate and health', () => {
  const env = () => ({ DATABASE_URL: t.url });

  it('fails with exit 1 and a ConfigError when DATABASE_URL is missing or bad, never printing the password', async () => {
    const missing = await runCli(['migrate', 'status']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CONFIG_INVALID');
    expect(missing.stderr).toContain('DATABASE_URL is required');
    expect(missing.stderr.trimEnd().split('\n')).toHaveLength(2);
    const bad = await runCli(['migrate', 'status'], { DATABASE_URL: 'mysql://u:topsecret@h/db' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).not.toContain('topsecret');
  });

  it('health is degraded (exit 3) before and while migrations are pending', async () => {
    const before = await runCli(['health'], env());
    expect(before.code, before.stderr).toBe(3);
    expect(before.stdout).toMatch(/^degraded {2}[\d.]+ ms {2}conversations=- {2}pending migrations=\d+\n/);
    expect(before.stdout).toContain(`${names.length} migrations pending: ${names[0]} ... ${names.at(-1)}`);
    expect(before.stdout).toContain("Run 'foodsave-db migrate up' to apply them.");
    expect((await runCli(['migrate', 'up', '--to', names[1]!], env())).code).toBe(0);
    const partly = await runCli(['health', '--json'], env());
    expect(partly.code).toBe(3);
    expect(JSON.parse(partly.stdout)).toMatchObject({ status: 'degraded', pendingMigrations: names.length - 2, migrations: { pending: names.slice(2) } });
    expect((await runCli(['migrate', 'down', '--all', '--yes'], env())).code).toBe(0);
  });

  it('runs up, status, down and up again against DATABASE_URL', async () => {
    const pending = await runCli(['migrate', 'status'], env());
    expect(pending.code).toBe(0);
    expect(pending.stdout).toContain(`pending  ${names[0]}`);

    const up = await runCli(['migrate', 'up'], env());
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toBe(names.map((n) => `applied ${n}\n`).join(''));
    expect((await runCli(['migrate', 'up'], env())).stdout).toBe('nothing to apply\n');
    expect((await runCli(['migrate', 'up', '--to', names[0]!], env())).stdout).toBe(`nothing to apply: ${names[0]} is already applied\n`);
    const healthy = await runCli(['health'], env());
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/^healthy .* pending migrations=0\n$/);

    const status = await runCli(['migrate', 'status', '--json'], env());
    const parsed = JSON.parse(status.stdout) as { executed: { name: string }[]; pending: string[] };
    expect(parsed.executed.map((e) => e.name)).toEqual(names);
    expect(parsed.pending).toEqual([]);

    const down = await runCli(['migrate', 'down', '--yes'], env());
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toBe(`reverted ${names.at(-1)}\n`);
    expect((await runCli(['migrate', 'down', '--to', names.at(-1)!, '--yes'], env())).stdout).toBe(`nothing to revert: ${names.at(-1)} is not applied\n`);
    await runCli(['migrate', 'up'], env());
    const all = await runCli(['migrate', 'down', '--all', '--yes'], env());
    expect(all.stdout).toBe([...names].reverse().map((n) => `reverted ${n}\n`).join(''));
    // Nothing to revert: nothing to confirm, so no --yes is needed.
    expect(await runCli(['migrate', 'down'], env())).toMatchObject({ code: 0, stdout: 'nothing to revert\n' });
  });

  it('migrate down refuses without --yes when stdin is not a terminal, reverting nothing', async () => {
    await runCli(['migrate', 'up'], env());
    for (const args of [['migrate', 'down'], ['migrate', 'down', '--all'], ['migrate', 'down', '--to', names[0]!]]) {
      expectUsageError(await runCli(args, env()), 'migrate down needs --yes when stdin is not a terminal', 'Add --yes to confirm, or run it on a terminal to be asked.');
    }
    const status = JSON.parse((await runCli(['migrate', 'status', '--json'], env())).stdout) as { pending: string[] };
    expect(status.pending).toEqual([]);
    const to = await runCli(['migrate', 'down', '--to', names.at(-2)!, '--yes'], env());
    expect(to.stdout).toBe(`reverted ${names.at(-1)}\nreverted ${names.at(-2)}\n`);
    await runCli(['migrate', 'up'], env());
  });

  it('exits 1 when it cannot reach the server, saying what to check, without the password', async () => {
    const r = await runCli(['migrate', 'up'], { DATABASE_URL: 'postgres://u:pw-xyz@127.0.0.1:1/db' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MIGRATION_FAILED: Cannot connect/);
    expect(r.stderr).toContain('Check that the server is up and that DATABASE_URL (or DATABASE_MIGRATION_URL) points at it.');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(r.stderr).not.toContain('pw-xyz');
    const down = await runCli(['health'], { DATABASE_URL: 'postgres://u:pw-zz@127.0.0.1:1/db' });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^unhealthy/);
    expect(down.stdout).not.toContain('pw-zz');
  });
});

const major = serverMajor(inject('serverVersionNum'));
const noTools = componentMissing(`pg_dump/pg_restore for PostgreSQL ${major}`, await pgToolsMissingReason(major));

describe.skipIf(noTools)('foodsave-db backup', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'foodsave-cli-backup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates, lists, verifies, restores and prunes backups', async () => {
    const env = { DATABASE_URL: t.url };
    await runCli(['migrate', 'up'], env);
    const created = await runCli(['backup', 'create', '--dir', dir], env);
    expect(created.code, created.stderr).toBe(0);
    const file = created.stdout.split('\n')[0]!;
    expect(file).toMatch(/backup_\d{8}_\d{6}(_\d+)?\.dump$/);
    expect(created.stdout).toMatch(/sha256 [0-9a-f]{64}/);
    await runCli(['backup', 'create', '--dir', dir], env);

    const list = await runCli(['backup', 'list', '--dir', dir, '--json'], env);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(2);
    const verify = await runCli(['backup', 'verify', file], env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^ok: \d+ tables match the manifest/);
    const restore = await runCli(['backup', 'restore', file, '--clean', '--yes'], env);
    expect(restore.code, restore.stderr).toBe(0);
    const prune = await runCli(['backup', 'prune', '--keep', '1', '--dir', dir, '--yes'], env);
    expect(prune.stdout).toBe(`removed ${file}\n`);
  });

  it('backup create --from-standby dumps the first of DATABASE_REPLICA_URLS, not DATABASE_URL', async () => {
    // DATABASE_URL points nowhere: only the replica's URL can have been dumped.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none?connect_timeout=2', DATABASE_REPLICA_URLS: `${t.url}, postgres://nobody@127.0.0.1:1/other` };
    const created = await runCli(['backup', 'create', '--dir', dir, '--from-standby'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/backup_\d{8}_\d{6}(_\d+)?\.dump\n/);
    const refused = await runCli(['backup', 'create', '--dir', dir], env);
    expect(refused.code).toBe(1);
  });

  it('restore into a populated database without --clean prints pg_restore\'s error and the --clean hint', async () => {
    const env = { DATABASE_URL: t.url };
    const [latest] = JSON.parse((await runCli(['backup', 'list', '--dir', dir, '--json'], env)).stdout) as { path: string }[];
    const r = await runCli(['backup', 'restore', latest!.path], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines, r.stderr).toHaveLength(2);
    expect(lines[0]).toMatch(/^foodsave-db: BACKUP_FAILED: pg_restore failed \(exit 1\); nothing was restored: pg_restore: error: .*ERROR: .* already exists/);
    expect(lines[0]).not.toMatch(/Command was|LANGUAGE|\$\$/);
    expect(lines[1]).toBe('The database already holds these objects: restore into an empty database, or add --clean (and --yes) to drop them first.');
  });
});
