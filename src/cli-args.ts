/**
 * The `foodsave-db` command line: the commands, their options, the help text made from them, and the
 * parser (node:util `parseArgs`, strict, per command). Nothing here loads the database modules, so
 * `--help` and `--version` start quickly.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './cli-errors.js';

/** Every option a command may take, besides `--help` and `--version`. */
export type OptionName = 'to' | 'all' | 'lock-timeout' | 'json' | 'dir' | 'from-standby' | 'clean' | 'keep' | 'timeout' | 'yes';

/** The parsed options of one command; only the command's own can be set. */
export type CommandOptions = Partial<Record<'to' | 'lock-timeout' | 'dir' | 'keep' | 'timeout', string>> &
  Partial<Record<'all' | 'json' | 'from-standby' | 'clean' | 'yes', boolean>>;

interface OptionSpec {
  type: 'string' | 'boolean';
  /** The value's name in the help, for a string option. */
  value?: string;
  help: string;
}

const OPTIONS: Record<OptionName, OptionSpec> = {
  to: { type: 'string', value: 'NAME', help: 'A migration, as `migrate status` names it' },
  all: { type: 'boolean', help: 'Revert every migration' },
  'lock-timeout': { type: 'string', value: 'SECONDS', help: "Wait this long for another runner's migration lock (default 60)" },
  json: { type: 'boolean', help: 'Print JSON' },
  dir: { type: 'string', value: 'DIR', help: 'The backup folder (default ./backups/database)' },
  'from-standby': { type: 'boolean', help: 'Dump a standby: the first of DATABASE_REPLICA_URLS, else one in the URL\'s host list' },
  clean: { type: 'boolean', help: "Drop the dump's objects before restoring them" },
  keep: { type: 'string', value: 'N', help: 'How many dumps to keep (0 or more)' },
  timeout: { type: 'string', value: 'MS', help: "The health check's deadline (default 2000)" },
  yes: { type: 'boolean', help: 'Run a destructive command without asking; needed when stdin is not a terminal' },
};

/** One command: its words, its options and what the help says about it. */
export interface CommandSpec {
  /** `migrate up`, `backup restore`, `health`, ... */
  name: string;
  options: readonly OptionName[];
  /** Takes exactly one FILE argument. */
  file?: boolean;
  /** The usage line after `foodsave-db`. */
  usage: string;
  summary: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'migrate up', options: ['to', 'lock-timeout'], usage: 'migrate up [--to NAME] [--lock-timeout SECONDS]', summary: 'Apply pending migrations, up to and including NAME.' },
  {
    name: 'migrate down',
    options: ['to', 'all', 'lock-timeout', 'yes'],
    usage: 'migrate down [--to NAME | --all] [--lock-timeout SECONDS] [--yes]',
    summary: 'Revert the newest migration, or down to and including NAME, or all. Asks first.',
  },
  { name: 'migrate status', options: ['json'], usage: 'migrate status [--json]', summary: 'List applied, pending and changed migrations.' },
  {
    name: 'backup create',
    options: ['dir', 'from-standby'],
    usage: 'backup create [--dir DIR] [--from-standby]',
    summary: 'Dump the primary (or a standby) with pg_dump -Fc, a checksum and a manifest; progress on a terminal.',
  },
  {
    name: 'backup restore',
    options: ['clean', 'yes'],
    file: true,
    usage: 'backup restore FILE [--clean] [--yes]',
    summary: 'Restore a dump in one transaction, after checking its checksum. Asks first with --clean.',
  },
  { name: 'backup verify', options: [], file: true, usage: 'backup verify FILE', summary: 'Restore into a scratch database and compare row counts with the manifest.' },
  { name: 'backup list', options: ['dir', 'json'], usage: 'backup list [--dir DIR] [--json]', summary: 'List the dumps, newest first.' },
  { name: 'backup prune', options: ['keep', 'dir', 'yes'], usage: 'backup prune --keep N [--dir DIR] [--yes]', summary: 'Delete all but the newest N dumps. Asks first.' },
  { name: 'health', options: ['json', 'timeout'], usage: 'health [--json] [--timeout MS]', summary: 'Check the database and its migrations.' },
];

/** The exit codes, as the help and the README list them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, degraded: 3 } as const;

/** The text of `foodsave-db --help`; the README's "The command" section shows exactly this. */
export function helpText(): string {
  const column = (left: string, right: string) => `  ${left.padEnd(22)}  ${right}`;
  const optionLeft = (name: OptionName) => `--${name}${OPTIONS[name].value ? ` ${OPTIONS[name].value}` : ''}`;
  return [
    'Usage: foodsave-db <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Options:',
    ...(Object.keys(OPTIONS) as OptionName[]).map((name) => column(optionLeft(name), OPTIONS[name].help)),
    column('-h, --help', 'Show this help'),
    column('-v, --version', 'Show the version'),
    '',
    'Environment:',
    column('DATABASE_URL', 'postgres://user:password@host:port/database (required)'),
    column('DATABASE_MIGRATION_URL', 'A direct URL past a pooler, for migrations and backups'),
    column('DATABASE_SCHEMA', "The schema of the library's tables (default public)"),
    column('DATABASE_REPLICA_URLS', 'Streaming replicas, comma-separated (backup create --from-standby)'),
    column('PG_BIN_DIR', 'Where to look first for pg_dump and pg_restore'),
    '',
    'Exit codes:',
    `  ${EXIT.ok}  success; health: healthy`,
    `  ${EXIT.failed}  failure: drift found by migrate status, a failed verify, a declined confirmation; health: unhealthy`,
    `  ${EXIT.usage}  bad usage, or a destructive command without --yes when stdin is not a terminal`,
    `  ${EXIT.degraded}  health: degraded (migrations pending or changed, or their status unreadable)`,
    '',
  ].join('\n');
}

/** What the command line asks for. */
export type CommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandSpec; options: CommandOptions; file?: string };

const HELP_OPTIONS = { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } } as const;

/**
 * Parses the arguments after `foodsave-db`. Options may come before, between or after the command's
 * words. `--help` and `--version` win over everything but an unknown option.
 *
 * @throws {UsageError} for anything the command does not take, with a one-line message.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // First pass: every option any command takes, so each option's value is told apart from a positional.
  const all = strictParse(argv, Object.keys(OPTIONS) as OptionName[]);
  if (all.values.help) return { kind: 'help' };
  if (all.values.version) return { kind: 'version' };
  const command = findCommand(all.positionals);
  for (const token of all.tokens) {
    if (token.kind === 'option' && !command.options.includes(token.name as OptionName)) {
      const takes = command.options.length ? `it takes ${command.options.map((o) => `--${o}`).join(', ')}` : 'it takes no options';
      throw new UsageError(`${token.rawName} does not apply to '${command.name}' (${takes})`);
    }
  }
  // Second pass: the command's own options only.
  const { values, positionals } = strictParse(argv, command.options);
  const args = positionals.slice(command.name.split(' ').length);
  if (command.file && args.length === 0) throw new UsageError(`'${command.name}' needs a FILE: foodsave-db ${command.usage}`);
  const extra = args.slice(command.file ? 1 : 0);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' for '${command.name}' (usage: foodsave-db ${command.usage})`);
  const options = values as CommandOptions;
  validate(command, options);
  return { kind: 'run', command, options, ...(command.file ? { file: args[0] } : {}) };
}

function strictParse(argv: readonly string[], names: readonly OptionName[]) {
  const options = Object.fromEntries(names.map((name) => [name, { type: OPTIONS[name].type }]));
  try {
    return parseArgs({ args: [...argv], options: { ...options, ...HELP_OPTIONS }, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    // parseArgs goes on to explain how to pass a value that starts with '-'; the first sentence is the point.
    const first = (error as Error).message.split(/\.\s/)[0]!;
    const option = /'(--?[\w-]+)/.exec(first)?.[1];
    const ambiguous = /ambiguous/.test(first) && option ? ` (for a value starting with '-', write ${option}=VALUE)` : '';
    throw new UsageError(`${first.charAt(0).toLowerCase()}${first.slice(1)}${ambiguous}`);
  }
}

function findCommand(positionals: readonly string[]): CommandSpec {
  const [group, action] = positionals;
  if (group === undefined) throw new UsageError('missing command: migrate, backup or health');
  const actions = COMMANDS.filter((c) => c.name.split(' ')[0] === group);
  if (actions.length === 0) throw new UsageError(`unknown command '${group}' (commands: migrate, backup, health)`);
  if (actions.length === 1 && actions[0]!.name === group) return actions[0]!;
  const names = actions.map((c) => c.name.split(' ')[1]).join(', ');
  if (action === undefined) throw new UsageError(`'${group}' needs an action: ${names}`);
  const command = actions.find((c) => c.name === `${group} ${action}`);
  if (!command) throw new UsageError(`unknown ${group} action '${action}' (actions: ${names})`);
  return command;
}

/** Values each option must have, checked before anything is loaded or connected. */
function validate(command: CommandSpec, o: CommandOptions): void {
  for (const name of ['to', 'dir'] as const) {
    if (o[name] !== undefined && o[name].trim() === '') throw new UsageError(`--${name} needs a value`);
  }
  if (o.all && o.to !== undefined) throw new UsageError('use --to NAME or --all, not both');
  if (command.name === 'backup prune' && o.keep === undefined) throw new UsageError("'backup prune' needs --keep N (how many dumps to keep)");
  if (o.keep !== undefined) wholeNumber('--keep', o.keep);
  if (o['lock-timeout'] !== undefined) seconds(o['lock-timeout']);
  if (o.timeout !== undefined) positiveNumber('--timeout', o.timeout);
}

/** `--keep` as a whole number of dumps, 0 or more. */
export function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a whole number (0 or more), got '${value}'`);
  return n;
}

/** `--timeout` as a positive number of ms. */
export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got '${value}'`);
  return n;
}

/** `--lock-timeout` as seconds, 0 or more. */
export function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--lock-timeout must be a number of seconds (0 or more), got '${value}'`);
  return n;
}
