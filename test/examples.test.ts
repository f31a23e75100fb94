/**
 * Every TypeScript example compiles: the fenced ```ts blocks of the TSDoc `@example` tags in src/ and
 * of README.md, type-checked in-process with the compiler options of tsconfig.json and 'foodsave-db'
 * mapped to src/. How snippets are built (prelude, auto-imports): see test/support/examples.ts.
 *
 * One test per source file; a failure lists `file:line:column TScode: message` of the ORIGINAL example.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSnippets, extractAllExamples, formatFailures, type CheckResult, type Snippet } from './support/examples.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const preludeFile = path.join(root, 'test/support/example-prelude.ts');
const cacheDir = path.join(root, 'node_modules/.cache/foodsave-db-examples');

const { src, readme } = extractAllExamples(root);
const all = [...src, ...readme];
const bySource = new Map<string, Snippet[]>();
for (const snippet of all) bySource.set(snippet.source, [...(bySource.get(snippet.source) ?? []), snippet]);

describe('TypeScript examples compile', () => {
  let result: CheckResult;
  beforeAll(() => {
    result = checkSnippets(all, { root, outDir: path.join(cacheDir, 'examples'), preludeFile });
  }, 120_000);

  it('finds examples in src/ and README.md (no vacuous pass)', () => {
    expect(src.length, 'fenced ts blocks in TSDoc @example tags under src/').toBeGreaterThan(0);
    expect(readme.length, 'fenced ts blocks in README.md').toBeGreaterThan(0);
  });

  it('the checker itself is sound (options, prelude)', () => {
    expect(result.global, result.global.join('\n')).toEqual([]);
  });

  for (const [source, snippets] of bySource) {
    it(`${source} (${snippets.length} example${snippets.length === 1 ? '' : 's'})`, () => {
      const report = formatFailures(snippets, result);
      if (report) expect.fail(`examples in ${source} do not compile:\n\n${report}`);
    });
  }
});

describe('example checker self-test', () => {
  const snippet = (id: string, code: string, prelude: boolean, line = 10): Snippet => ({
    id: `self-test/${id}`,
    source: `self-test/${id}.ts`,
    exampleLine: line - 2,
    firstLine: line,
    prefixLengths: code.split('\n').map(() => 3),
    code,
    prelude,
  });
  const good = [
    // Own imports only (README style): the package resolves to src/, top-level await works.
    snippet('good-standalone', "import * as db from 'foodsave-db';\nconst names: string[] = Object.keys(db);\nawait Promise.resolve(names);", false),
    // With the prelude: the generated header (every package and prelude export) must compile, even
    // when the snippet imports or declares some of those names itself.
    snippet('good-prelude', "const engine = 1;\nimport * as db from 'foodsave-db';\nconst n: number = engine + Object.keys(db).length;\nawait Promise.resolve(n);", true),
    // The `*Id` convention: undeclared ids are strings.
    snippet('good-ids', 'const ids: string[] = [milkId, { soupId }.soupId];\nconsole.log(ids);', true),
  ];
  const bad = [
    snippet('bad-type', "const n: number = 'not a number';\nconsole.log(n);", true, 20),
    snippet('bad-import', "import { definitelyNotExported } from 'foodsave-db';\nconsole.log(definitelyNotExported);", false, 30),
    snippet('bad-undeclared', 'console.log(someUndeclaredName);', false, 40),
    // README-style snippets get no prelude and no `*Id` convention.
    snippet('bad-readme-id', 'console.log(milkId);', false, 50),
  ];
  let result: CheckResult;
  beforeAll(() => {
    result = checkSnippets([...good, ...bad], { root, outDir: path.join(cacheDir, 'self-test'), preludeFile });
  }, 120_000);

  it('accepts known-good snippets', () => {
    expect(result.global).toEqual([]);
    for (const s of good) expect(result.bySnippet.get(s.id), formatFailures(good, result)).toEqual([]);
  });

  it('rejects known-bad snippets, pointing at the original line and column', () => {
    expect(result.bySnippet.get('self-test/bad-type')).toEqual([
      expect.objectContaining({ location: 'self-test/bad-type.ts:20:10', code: 2322 }),
    ]);
    expect(result.bySnippet.get('self-test/bad-import')).toEqual([
      expect.objectContaining({ location: 'self-test/bad-import.ts:30:13', code: 2305 }),
    ]);
    expect(result.bySnippet.get('self-test/bad-undeclared')).toEqual([
      expect.objectContaining({ location: 'self-test/bad-undeclared.ts:40:16', code: 2304 }),
    ]);
    expect(result.bySnippet.get('self-test/bad-readme-id')).toEqual([
      expect.objectContaining({ location: 'self-test/bad-readme-id.ts:50:16', code: 2304 }),
    ]);
    expect(formatFailures(bad, result)).toContain("self-test/bad-type.ts:20:10 TS2322: Type 'string' is not assignable to type 'number'.");
  });
});
