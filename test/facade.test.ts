/** The scope's facades (src/scope/facade.ts): parts made on first use and once, methods bound, nothing else reachable. */
import { describe, expect, it } from 'vitest';
import { facadeKind } from '../src/scope/facade.js';

class Counter {
  constructor(
    readonly made: string[],
    readonly start: number,
  ) {
    made.push('counter');
  }
  plus(n: number): number {
    return this.start + n;
  }
  secret(): string {
    return 'not lent';
  }
}

class Doubler {
  constructor(
    made: string[],
    readonly counter: Counter,
  ) {
    made.push('doubler');
  }
  twice(n: number): number {
    return this.counter.plus(n) * 2;
  }
}

interface Lent {
  plus(n: number): number;
  twice(n: number): number;
}
const kind = facadeKind<{ made: string[]; start: number }, Lent>([
  { make: (c) => new Counter(c.made, c.start), names: ['plus'] },
  { make: (c, part) => new Doubler(c.made, part(0) as Counter), names: ['twice'] },
]);

describe('a facade kind', () => {
  it('makes no part until a method is read, and each part once, sharing parts between them', () => {
    const made: string[] = [];
    const facade = kind({ made, start: 10 });
    expect(made).toEqual([]);
    expect(facade.twice(1)).toBe(22);
    expect(made.sort()).toEqual(['counter', 'doubler']);
    expect(facade.plus(5)).toBe(15);
    expect(facade.twice(2)).toBe(24);
    expect(made.sort()).toEqual(['counter', 'doubler']);
  });

  it('lends bound methods, so a destructured one still works, and keeps each facade to its own context', () => {
    const { plus } = kind({ made: [], start: 1 });
    const other = kind({ made: [], start: 100 });
    expect(plus(1)).toBe(2);
    expect(other.plus(1)).toBe(101);
  });

  it('holds only the listed methods, and is frozen', () => {
    const facade = kind({ made: [], start: 0 }) as unknown as Record<string, unknown>;
    const keys: string[] = [];
    for (const key in facade) keys.push(key);
    expect(keys.sort()).toEqual(['plus', 'twice']);
    expect(facade.secret).toBeUndefined();
    expect(Object.isFrozen(facade)).toBe(true);
    expect(() => {
      facade.plus = () => 0;
    }).toThrow(TypeError);
  });
});
