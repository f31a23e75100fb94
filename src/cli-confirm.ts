/**
 * Confirmation for the destructive commands (`migrate down`, `backup restore --clean`, `backup prune`):
 * `--yes` confirms; otherwise the command asks on a terminal, and refuses when it cannot ask.
 */
import { createInterface } from 'node:readline';
import { Declined, UsageError } from './cli-errors.js';

/** Where to ask, and whether the user already said yes. */
export interface ConfirmOptions {
  /** `--yes` was given. */
  yes: boolean;
  /** Whether `input` is a terminal a person types into (`process.stdin.isTTY`). */
  isTTY: boolean;
  input: NodeJS.ReadableStream;
  /** Where the question goes (stderr, so stdout stays for results). */
  output: NodeJS.WritableStream;
}

/** `yes` to go ahead, `no` when the user declined, `cannot-ask` when stdin is not a terminal. */
export type Confirmation = 'yes' | 'no' | 'cannot-ask';

/**
 * Asks `question [y/N]` when it may: `--yes` answers it, no terminal means it cannot be asked. Only `y`
 * or `yes` (any case) is a yes; an empty line, anything else, end of input or Ctrl-C is a no.
 */
export async function confirm(question: string, options: ConfirmOptions): Promise<Confirmation> {
  if (options.yes) return 'yes';
  if (!options.isTTY) return 'cannot-ask';
  const terminal = (options.input as { isTTY?: boolean }).isTTY === true;
  const rl = createInterface({ input: options.input, output: options.output, terminal });
  try {
    const answer = await new Promise<string | null>((resolve) => {
      rl.once('close', () => resolve(null));
      rl.once('SIGINT', () => resolve(null));
      rl.question(`${question} [y/N] `, resolve);
    });
    if (answer === null) options.output.write('\n');
    return answer !== null && /^\s*y(es)?\s*$/i.test(answer) ? 'yes' : 'no';
  } finally {
    rl.close();
  }
}

/**
 * Goes on only when confirmed.
 *
 * @throws {UsageError} when stdin is not a terminal and `--yes` was not given (exit 2).
 * @throws {Declined} when the user said no (exit 1).
 */
export async function requireConfirmation(action: string, question: string, options: ConfirmOptions): Promise<void> {
  const answer = await confirm(question, options);
  if (answer === 'cannot-ask') {
    throw new UsageError(`${action} needs --yes when stdin is not a terminal`, 'Add --yes to confirm, or run it on a terminal to be asked.');
  }
  if (answer === 'no') throw new Declined();
}
