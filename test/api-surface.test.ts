/**
 * Snapshot of the public surface of the BUILT package: for every entry point in package.json "exports",
 * the `types` of its `import` condition (e.g. dist/index.d.ts) is read with the TypeScript compiler API,
 * and each export is printed with its kind and type (see test/support/api-surface.ts).
 *
 * `npm test` builds dist/ before vitest runs. Alone: `npm run build && npx vitest run test/api-surface.test.ts`.
 * After an intended API change, update the snapshots: `npx vitest run test/api-surface.test.ts -u`.
 * Snapshots: test/__snapshots__/api-surface.txt for ".", api-surface.<subpath>.txt for the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDtsProgram, describeModule, importTypeEntries, renderSurface, type ExportEntry } from './support/api-surface.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; exports?: unknown };
const entries = [...importTypeEntries(pkg.exports)].map(([subpath, types]) => ({
  subpath,
  file: path.join(root, types),
  snapshot: subpath === '.' ? 'api-surface.txt' : `api-surface.${subpath.replace(/^\.\//, '').replace(/[^A-Za-z0-9]+/g, '-')}.txt`,
}));

describe('public API surface (dist/)', () => {
  let program: ts.Program;
  const surfaces = new Map<string, ExportEntry[]>();

  beforeAll(() => {
    const missing = entries.filter((e) => !existsSync(e.file)).map((e) => path.relative(root, e.file));
    if (missing.length) {
      throw new Error(`dist/ is not built (missing ${missing.join(', ')}): run \`npm run build\` first (npm test does it).`);
    }
    program = createDtsProgram(entries.map((e) => e.file));
    for (const e of entries) surfaces.set(e.subpath, describeModule(program, e.file));
  }, 120_000);

  it('package.json "exports" has entry points with import types', () => {
    expect(entries.map((e) => e.subpath)).toContain('.');
  });

  for (const entry of entries) {
    const label = entry.subpath === '.' ? pkg.name : `${pkg.name}/${entry.subpath.replace(/^\.\//, '')}`;

    it(`${label}: matches the snapshot (${path.relative(root, entry.file)})`, async () => {
      const surface = surfaces.get(entry.subpath)!;
      expect(surface.length, `exports of ${label}`).toBeGreaterThan(0);
      await expect(renderSurface(surface, label, root)).toMatchFileSnapshot(`./__snapshots__/${entry.snapshot}`);
    });

    it(`${label}: re-exports nothing from zod`, () => {
      const surface = surfaces.get(entry.subpath)!;
      const zodish = surface.filter(
        (e) =>
          e.declarationFiles.some((f) => f.split(path.sep).join('/').includes('/node_modules/zod/')) ||
          /^(z|zod|core|Zod[A-Z]\w*|\$Zod\w*|\$\w+)$/.test(e.name),
      );
      expect(zodish.map((e) => `${e.kind} ${e.name} (declared in ${e.declarationFiles.map((f) => path.relative(root, f)).join(', ')})`)).toEqual([]);
    });
  }

  it('FoodsaveDbError#code is a union of string literals, not string', () => {
    const main = surfaces.get('.')!;
    const error = main.find((e) => e.name === 'FoodsaveDbError' && e.kind === 'class');
    expect(error, 'FoodsaveDbError is exported as a class').toBeDefined();
    const checker = program.getTypeChecker();
    const instance = checker.getDeclaredTypeOfSymbol(error!.symbol);
    const code = checker.getPropertyOfType(instance, 'code');
    expect(code, 'FoodsaveDbError has a `code` property').toBeDefined();
    const type = checker.getTypeOfSymbol(code!);
    const printed = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
    const members = type.isUnion() ? type.types : [type];
    expect(
      type.isUnion() && members.every((t) => t.isStringLiteral()),
      `FoodsaveDbError['code'] should be a union of string literals, but is: ${printed}`,
    ).toBe(true);
  });
});
