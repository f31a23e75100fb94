import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { withInputBounds, type InputBounds } from './schemas/common.js';

/**
 * Parses input with a zod schema against the engine's input bounds, or throws {@link ValidationError}
 * carrying every issue's path and message. Nothing touches the database before this passes.
 *
 * @internal
 */
export function parseInput<S extends z.ZodType>(bounds: InputBounds, schema: S, input: unknown, context: string): z.output<S> {
  const fast = compiledOf(schema);
  const result = withInputBounds(bounds, () => fast.safeParse(input));
  if (result.success) {
    const bad = findInvalidText(result.data, []);
    if (bad) throw new ValidationError([bad], { context });
    return result.data;
  }
  throw new ValidationError(
    result.error.issues.flatMap((issue) => {
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      // One issue per unknown key, so the path names the field that must not be there.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ path: [...path, key], message: 'is not an allowed field' }));
      }
      return [{ path, message: issue.message }];
    }),
    { cause: result.error, context },
  );
}

const compiled = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema with zod's generated fast path (`z.compile`): checks compiled into one function per schema,
 * which on any failure hands the input to zod's own parser, so every error, with its messages and
 * paths, is zod's. A schema the fast path cannot model is used as it is. Compiled once per schema.
 */
export function compiledOf<S extends z.ZodType>(schema: S): S {
  let fast = compiled.get(schema);
  if (fast === undefined) {
    fast = z.compile(schema);
    compiled.set(schema, fast);
  }
  return fast as S;
}

/** A NUL, or half of a UTF-16 surrogate pair: text PostgreSQL cannot store (22021, 22P05, 22P02). */
const INVALID_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The first string, key or nested value that PostgreSQL would refuse as text or JSON, with its path,
 * so the error names the field instead of surfacing the server's error after a round trip. The walk is
 * iterative: a hostile nesting depth cannot overflow the stack.
 *
 * @internal
 */
export function findInvalidText(value: unknown, root: (string | number)[]): { path: (string | number)[]; message: string } | undefined {
  // The common case allocates no paths; only a hit is walked again to name the field.
  if (!containsInvalidText(value)) return undefined;
  const stack: [unknown, (string | number)[]][] = [[value, root]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (INVALID_TEXT.test(current)) return { path, message: 'contains a NUL character or an unpaired surrogate, which PostgreSQL cannot store' };
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push([item, [...path, index]]));
    } else if (current !== null && typeof current === 'object' && !(current instanceof Date)) {
      for (const [key, item] of Object.entries(current)) {
        if (INVALID_TEXT.test(key)) return { path: [...path, key], message: 'has a key with a NUL character or an unpaired surrogate' };
        stack.push([item, [...path, key]]);
      }
    }
  }
  return undefined;
}

function containsInvalidText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (typeof current === 'string') {
      if (INVALID_TEXT.test(current)) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (current !== null && typeof current === 'object' && !(current instanceof Date)) {
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        if (INVALID_TEXT.test(key)) return true;
        stack.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}
