import { ConfigError, type ConfigIssue } from '../errors.js';

/**
 * The default bounds on input sizes. Each is checked before any statement runs, and a value over it is
 * a `ValidationError` naming the field and the bound. A host changes them per engine with
 * `createEngine({ inputBounds: { messageChars: 500_000 } })`; the rest keep these defaults.
 *
 * Not here, because the schema fixes them: column widths (`varchar(255)`), a page of at most 1000 rows,
 * and a category tree at most 32 levels deep.
 */
export const INPUT_BOUNDS = {
  /** A JSON object field (metadata, nutritional and storage info): characters once serialised. */
  jsonChars: 64 * 1024,
  /** A JSON object field: levels of nesting. */
  jsonDepth: 20,
  /** Free text such as descriptions and notes: characters. */
  notesChars: 10_000,
  /** A recipe's instructions: characters. */
  instructionsChars: 50_000,
  /** A message's content: characters. */
  messageChars: 100_000,
  /** A date range `{ from, to }`: days from `from` to `to`. */
  dateRangeDays: 3_660,
  /** A search or look-up text: characters. */
  searchChars: 200,
  /** The lines of one receipt. */
  receiptLines: 1_000,
  /** The ingredients of one recipe. */
  recipeIngredients: 200,
  /** A recipe's tags. */
  tags: 50,
} as const;

/** One engine's input bounds: {@link INPUT_BOUNDS} with the host's changes. */
export type InputBounds = { readonly [K in keyof typeof INPUT_BOUNDS]: number };

/** A bound's name. */
export type InputBound = keyof InputBounds;

/**
 * The most a host may raise a bound to. JSON nesting stays shallow enough for any JSON parser on the
 * way; the rest only keep a bound a bound.
 */
const CEILINGS: Partial<Record<InputBound, number>> = { jsonDepth: 1_000 };

/**
 * The defaults with the host's changes, each a whole number from 1 to its ceiling.
 *
 * @throws {ConfigError} naming `inputBounds.<name>` for an unknown name or a bad value.
 * @internal
 */
export function resolveInputBounds(overrides: unknown): InputBounds {
  if (overrides === undefined) return INPUT_BOUNDS;
  const issues: ConfigIssue[] = [];
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError([{ variable: 'inputBounds', message: 'must be an object' }]);
  }
  const bounds: Record<string, number> = { ...INPUT_BOUNDS };
  for (const [name, value] of Object.entries(overrides)) {
    const variable = `inputBounds.${name}`;
    if (!Object.hasOwn(INPUT_BOUNDS, name)) {
      issues.push({ variable, message: `is not a bound (known: ${Object.keys(INPUT_BOUNDS).join(', ')})` });
      continue;
    }
    const ceiling = CEILINGS[name as InputBound] ?? Number.MAX_SAFE_INTEGER;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > ceiling) {
      issues.push({ variable, message: `must be a whole number from 1 to ${ceiling}` });
      continue;
    }
    bounds[name] = value;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze(bounds) as InputBounds;
}
