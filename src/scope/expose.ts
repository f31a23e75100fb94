/**
 * An object holding only the named methods of `target`, bound to it. The scope's facades are built
 * with it, so a method the facade does not list (a back-office `getUserReceipts(userId)`) is absent at
 * run time too, not merely hidden by the types.
 *
 * @internal
 */
export function expose<T extends object, K extends keyof T & string>(target: T, names: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const name of names) {
    const member = target[name];
    out[name] = (typeof member === 'function' ? member.bind(target) : member) as T[K];
  }
  return Object.freeze(out) as Pick<T, K>;
}

