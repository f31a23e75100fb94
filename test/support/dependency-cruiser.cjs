// @ts-check
/**
 * Layering rules for src/, checked by test/architecture.test.ts (programmatic API) and usable from the
 * command line too:
 *
 *   npx depcruise src --config test/support/dependency-cruiser.cjs
 *
 * Paths are relative to the cruise's base directory (the repository root, or a fixture root in the
 * self-test), so every pattern starts with `^src/`.
 *
 * Layers, lowest first. A module may import only from its own layer or lower ones; type-only imports
 * count too (`tsPreCompilationDeps: true`). Groups inside one layer are siblings that must not import
 * each other (see `siblings`).
 */

/** @typedef {{ name: string, path: string }} Group */
/** @typedef {{ level: number, name: string, groups: Group[] }} Layer */

/** @type {Layer[]} */
const layers = [
  { level: 0, name: 'errors', groups: [{ name: 'errors', path: '^src/errors\\.ts$' }] },
  // Pure values (exact quantities, units, date kinds): what the models and everything above may use.
  { level: 1, name: 'values', groups: [{ name: 'values', path: '^src/values/' }] },
  {
    level: 2,
    name: 'config/models',
    groups: [
      { name: 'config', path: '^src/config/' },
      { name: 'models', path: '^src/models/' },
    ],
  },
  { level: 3, name: 'engine', groups: [{ name: 'engine', path: '^src/engine/' }] },
  { level: 4, name: 'db', groups: [{ name: 'db', path: '^src/db/' }] },
  // Repositories do CRUD and look-ups; the domain's food logic may use them, never the reverse.
  { level: 5, name: 'repositories', groups: [{ name: 'repositories', path: '^src/repositories/' }] },
  { level: 6, name: 'domain', groups: [{ name: 'domain', path: '^src/domain/' }] },
  { level: 7, name: 'scope', groups: [{ name: 'scope', path: '^src/scope/' }] },
  // The health report lists pending migrations, so ops sits above migrations.
  { level: 8, name: 'migrations', groups: [{ name: 'migrations', path: '^src/migrations/' }] },
  { level: 9, name: 'ops', groups: [{ name: 'ops', path: '^src/ops/' }] },
  {
    level: 10,
    name: 'entry points',
    groups: [
      // src/index.ts, src/cli.ts: anything directly in src/ except errors.ts; and src/entries/**.
      { name: 'entries', path: '^src/(entries/|(?!errors\\.ts$)[^/]+$)' },
    ],
  },
];

/** Groups that share a layer but must not import each other (within a layer, anything else is allowed). */
const siblings = layers.filter((layer) => layer.groups.length > 1);

const layerPath = (/** @type {Layer} */ layer) => layer.groups.map((g) => g.path);
const allLayered = layers.flatMap(layerPath);

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'No import cycles anywhere in src/ (type-only imports count), the models excepted below.',
    from: { path: '^src/', pathNot: '^src/models/' },
    to: { circular: true },
  },
  {
    // A model names its associated models' types (`declare user?: NonAttribute<User>`), as Sequelize's
    // typing of associations requires, so the models refer to each other by type. Those references
    // vanish at compile time; a runtime import cycle among the models is still refused.
    name: 'no-circular-models-at-runtime',
    severity: 'error',
    comment: 'No runtime import cycles among the models (type-only association references are allowed).',
    from: { path: '^src/models/' },
    to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
  },
  {
    name: 'not-to-unresolvable',
    severity: 'error',
    comment: 'Every import in src/ must resolve to a file (a broken import would hide a layering violation).',
    from: { path: '^src/' },
    to: { couldNotResolve: true },
  },
  {
    name: 'module-outside-layers',
    severity: 'error',
    comment: 'Every module in src/ belongs to a layer; add new folders to test/support/dependency-cruiser.cjs.',
    from: { path: '^src/', pathNot: allLayered },
    to: {},
  },
  {
    name: 'to-module-outside-layers',
    severity: 'error',
    comment: 'Every module in src/ belongs to a layer; add new folders to test/support/dependency-cruiser.cjs.',
    from: { path: '^src/' },
    to: { path: '^src/', pathNot: allLayered },
  },
  // Upward imports: layer N may not import any layer above N.
  ...layers
    .filter((layer) => layer.level < layers.length - 1)
    .map((layer) => /** @type {import('dependency-cruiser').IForbiddenRuleType} */ ({
      name: `layer-${layer.level}-${layer.name.replaceAll('/', '-')}-imports-upward`,
      severity: 'error',
      comment: `Layer ${layer.level} (${layer.name}) may import only from layers 0..${layer.level}.`,
      from: { path: layerPath(layer) },
      to: { path: layers.filter((other) => other.level > layer.level).flatMap(layerPath) },
    })),
  // Siblings inside one layer.
  ...siblings.flatMap((layer) =>
    layer.groups.map((group) => /** @type {import('dependency-cruiser').IForbiddenRuleType} */ ({
      name: `${group.name}-imports-sibling`,
      severity: 'error',
      comment: `${group.name} must not import ${layer.groups
        .filter((g) => g !== group)
        .map((g) => g.name)
        .join(' or ')} (same layer ${layer.level}, siblings).`,
      from: { path: group.path },
      to: { path: layer.groups.filter((g) => g !== group).map((g) => g.path) },
    })),
  ),
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports (`import type`, `export type ... from`) are dependencies too.
    tsPreCompilationDeps: true,
    // `.js` specifiers map to `.ts` sources through the tsconfig (NodeNext).
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
