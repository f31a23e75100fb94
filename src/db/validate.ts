import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses input with a zod schema, or throws {@link ValidationError} carrying every issue's path and
 * message. Nothing touches the database before this passes.
 *
 * @internal
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, context: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
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
