/** One part of a facade: how to make the object behind it, and the methods of that object it lends. */
export interface FacadePart<C> {
  /** Makes the part's object on first use; `part(i)` is another part of the same facade (made once). */
  readonly make: (context: C, part: (index: number) => object) => object;
  readonly names: readonly string[];
}

const STATE = Symbol('facade state');

interface State<C> {
  readonly context: C;
  readonly parts: (object | undefined)[];
}

/** Every facade: frozen, its own keys only its hidden state, its methods getters on its kind's prototype. */
class Facade<C> {
  readonly [STATE]: State<C>;

  constructor(context: C) {
    this[STATE] = { context, parts: [] };
    Object.freeze(this);
  }
}

/**
 * A kind of facade over several objects: a function that makes, for a context, an object holding only
 * the listed methods, each bound to its part's object, which is made on first use. A method the facade
 * does not list (a back-office `getUserReceipts(userId)`) is absent at run time too, not merely hidden
 * by the types.
 *
 * Why not an object of bound methods per facade: a user's scope is made per request, and binding every
 * method of every object behind a facade (three repositories and a dozen methods for `receipts`) cost
 * more than the one call most requests make. Here making a facade allocates one object and its state;
 * reading a method binds that one.
 *
 * @internal
 */
export function facadeKind<C, F>(parts: readonly FacadePart<C>[]): (context: C) => F {
  class Kind extends Facade<C> {}
  parts.forEach((part, index) => {
    for (const name of part.names) {
      Object.defineProperty(Kind.prototype, name, {
        enumerable: true,
        get(this: Facade<C>) {
          const target = partOf(this[STATE], parts, index) as Record<string, (...args: unknown[]) => unknown>;
          return target[name]!.bind(target);
        },
      });
    }
  });
  Object.freeze(Kind.prototype);
  return (context) => new Kind(context) as unknown as F;
}

function partOf<C>(state: State<C>, parts: readonly FacadePart<C>[], index: number): object {
  return (state.parts[index] ??= parts[index]!.make(state.context, (other) => partOf(state, parts, other)));
}
