/**
 * Layering of src/, enforced with dependency-cruiser. The rules live in test/support/dependency-cruiser.cjs
 * (also usable as `npx depcruise src --config test/support/dependency-cruiser.cjs`).
 *
 * - "src/ obeys the layering rules": the real tree. On failure, the message lists every violation,
 *   grouped by rule (cycles are printed in full).
 * - "the cruise sees the source tree": guards against a vacuous pass (a misconfigured resolver that
 *   sees no modules or no dependencies would report no violations).
 * - "the rules bite": the same rule set over test/fixtures/layers/, which breaks the rules on purpose.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const configFile = path.join(root, 'test/support/dependency-cruiser.cjs');
const fixtureRoot = path.join(root, 'test/fixtures/layers');

/** Cruises `<baseDir>/src` with the project's rule set; module paths in the result are relative to baseDir. */
async function cruiseSrc(baseDir: string): Promise<ICruiseResult> {
  const options: ICruiseOptions = await extractDepcruiseOptions(configFile);
  const tsConfig = extractTSConfig(path.join(root, 'tsconfig.json'));
  const { output } = await cruise(
    ['src'],
    { ...options, baseDir, validate: true, outputType: 'json' },
    {},
    { tsConfig },
  );
  return (typeof output === 'string' ? JSON.parse(output) : output) as ICruiseResult;
}

function describeViolation(v: IViolation): string {
  if (v.cycle && v.cycle.length > 0) {
    const chain = [v.from, ...v.cycle.map((step) => step.name)];
    return `cycle: ${chain.join(' → ')}`;
  }
  const types = v.dependencyTypes?.includes('type-only') ? ' (type-only)' : '';
  return `${v.from} → ${v.to}${types}`;
}

/** A readable, stable report: one block per rule, with the rule's comment and every offending import. */
function formatViolations(result: ICruiseResult): string {
  const comments = new Map<string, string>();
  for (const rule of result.summary.ruleSetUsed?.forbidden ?? []) {
    if (rule.name) comments.set(rule.name, rule.comment ?? '');
  }
  const byRule = new Map<string, string[]>();
  for (const v of result.summary.violations) {
    const lines = byRule.get(v.rule.name) ?? [];
    lines.push(describeViolation(v));
    byRule.set(v.rule.name, lines);
  }
  const blocks = [...byRule.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, lines]) => {
      const comment = comments.get(name);
      const unique = [...new Set(lines)].sort();
      return [`${name}${comment ? ` — ${comment}` : ''}`, ...unique.map((line) => `  ${line}`)].join('\n');
    });
  return `${result.summary.violations.length} layering violation(s):\n\n${blocks.join('\n\n')}`;
}

const srcModules = (result: ICruiseResult) =>
  result.modules.filter((m) => m.source.startsWith('src/') && !m.couldNotResolve);

describe('architecture (dependency-cruiser)', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseSrc(root);
  });

  it('the cruise sees the source tree (no vacuous pass)', () => {
    const modules = srcModules(result);
    expect(modules.length, 'modules found under src/').toBeGreaterThan(40);

    // Relative `.js` specifiers resolved to `.ts` sources (via the tsconfig), so dependencies exist.
    const engine = modules.find((m) => m.source === 'src/engine/create-engine.ts');
    expect(engine, 'src/engine/create-engine.ts is cruised').toBeDefined();
    const resolvedLocal = engine!.dependencies.filter((d) => d.resolved.startsWith('src/') && !d.couldNotResolve);
    expect(resolvedLocal.length, 'resolved src/ dependencies of src/engine/create-engine.ts').toBeGreaterThan(0);
    expect(resolvedLocal.every((d) => d.resolved.endsWith('.ts'))).toBe(true);

    const localEdges = modules.flatMap((m) => m.dependencies).filter((d) => d.resolved.startsWith('src/') && !d.couldNotResolve);
    expect(localEdges.length, 'resolved src/ → src/ imports').toBeGreaterThan(40);
    // Type-only imports are seen (they count for the layering).
    expect(localEdges.some((d) => d.dependencyTypes.includes('type-only'))).toBe(true);
  });

  it('src/ obeys the layering rules (no cycles, no upward or sibling imports)', () => {
    const violations = result.summary.violations;
    if (violations.length > 0) expect.fail(formatViolations(result));
    expect(result.summary.error).toBe(0);
  });
});

describe('architecture rules self-test (test/fixtures/layers)', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseSrc(fixtureRoot);
  });

  it('cruises the fixture', () => {
    expect(srcModules(result).map((m) => m.source).sort()).toEqual([
      'src/domain/journal.ts',
      'src/engine/clock.ts',
      'src/errors.ts',
      'src/index.ts',
      'src/repositories/item-repository.ts',
      'src/values/amount.ts',
    ]);
  });

  it('reports the cycle and the upward imports, and nothing else', () => {
    const report = formatViolations(result);
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${describeViolation(v)}`);

    // The cycle between a repository and a domain module (one edge is type-only; it still counts).
    const cycles = result.summary.violations.filter((v) => v.rule.name === 'no-circular');
    expect(cycles.length, report).toBeGreaterThan(0);
    for (const cycle of cycles) {
      const members = [cycle.from, ...(cycle.cycle ?? []).map((s) => s.name)];
      expect(members, report).toContain('src/repositories/item-repository.ts');
      expect(members, report).toContain('src/domain/journal.ts');
    }

    expect(found).toContain(
      'layer-1-values-imports-upward: src/values/amount.ts → src/engine/clock.ts (type-only)',
    );
    // Repositories sit below the domain: the domain may use them, a repository may not reach up.
    expect(found).toContain('layer-5-repositories-imports-upward: src/repositories/item-repository.ts → src/domain/journal.ts');
    expect(found.filter((f) => f.startsWith('layer-6-domain'))).toEqual([]);

    // Entry points may import every layer; lower layers may import errors.
    const fromAllowed = result.summary.violations.filter(
      (v) => v.from === 'src/index.ts' || v.from === 'src/engine/clock.ts',
    );
    expect(fromAllowed, report).toEqual([]);
    expect(report).toContain('cycle: ');
  });
});
