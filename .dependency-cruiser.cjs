/**
 * The import boundaries of docs/architecture.md, checked by `npm run check` (`npm run boundaries`):
 * an import may only point down the layers below (or stay within its own layer; the error
 * catalogue core/errors.ts, which imports nothing, is open to all), nothing imports
 * the package entries, the CLI never reaches into the HTTP contract, and there are no cycles
 * (type-only imports count: a type cycle is a design cycle too). Tests beside the units are left
 * out: a test may reach up to build what it tests.
 */

/** Top to bottom. A new folder under src/ must be placed here, or the check fails. */
const LAYERS = [
  'cli',
  'server',
  'adapters',
  'edge',
  'contract',
  'services',
  'schemes',
  'core',
  'crypto',
  'stores',
];

const TESTS = '\\.test\\.ts$';
/** The one error catalogue: every layer may throw its errors, so it imports nothing itself. */
const CATALOGUE = '^src/core/errors\\.ts$';
const dir = (names) => `^src/(${names.join('|')})/`;

/** One rule per layer: nothing in it imports a layer above it. */
const upward = LAYERS.slice(1).map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `${layer}/ sits below ${LAYERS.slice(0, i + 1).join(', ')}: it may not import them (docs/architecture.md).`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: dir(LAYERS.slice(0, i + 1)), pathNot: CATALOGUE },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'errors-are-a-leaf',
      comment:
        'core/errors.ts is imported from every layer, stores and crypto too: it may import nothing of ours.',
      severity: 'error',
      from: { path: CATALOGUE },
      to: { path: '^src/' },
    },
    {
      name: 'cli-not-contract',
      comment: 'The CLI opens the services (createServices), never the HTTP contract.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/contract/' },
    },
    {
      name: 'no-entry-imports',
      comment: 'src/index.ts and src/testing.ts are what users import; the library never imports them.',
      severity: 'error',
      from: { path: dir(LAYERS) },
      to: { path: '^src/(index|testing)\\.ts$' },
    },
    {
      name: 'in-a-layer',
      comment: 'Every module under src/ lives in one of the layers (add a new folder to LAYERS).',
      severity: 'error',
      from: { path: '^src/', pathNot: [dir(LAYERS), '^src/(index|testing)\\.ts$'] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'A cycle ties modules into one: break it by moving the shared piece down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7 has no JS API for dependency-cruiser to parse with; swc reads the sources.
    parser: 'swc',
    // Keep `import type` edges: a type-only upward import is still an upward import.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: TESTS },
    moduleSystems: ['es6'],
  },
};
