import { ValidationError } from '../errors.js';

/**
 * Options objects are strict: a key the method does not know (a misspelt `transacton`, a `userId`
 * left over from an older API, even one whose value is `undefined`) is refused, naming it, before
 * anything touches the database. A plain key check rather than zod, because it runs on every call.
 *
 * @internal
 */
export function checkOptions(options: unknown, allowed: readonly string[], context: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError([{ path: ['options'], message: 'must be an object' }], { context });
  }
  for (const key in options) {
    if (!allowed.includes(key)) {
      throw new ValidationError([{ path: [key], message: `is not an option here (allowed: ${allowed.join(', ') || 'none'})` }], { context });
    }
  }
  const consistency = (options as { consistency?: unknown }).consistency;
  if (consistency !== undefined && consistency !== 'replica' && consistency !== 'primary') {
    throw new ValidationError([{ path: ['consistency'], message: "must be 'replica' or 'primary'" }], { context });
  }
}

/** The options every method accepts ({@link QueryOptions}). @internal */
export const TX = ['transaction', 'consistency'] as const;
