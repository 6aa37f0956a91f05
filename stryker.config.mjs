// Mutation testing of the pure domain (STYLE.md section 9): `npm run mutation`.
// Coverage says code ran; a surviving mutant says no test would notice it being wrong.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['src/core/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Two cores, shared with other work: one mutant at a time.
  concurrency: 1,
  timeoutMS: 10_000,
  // The first run (every unit test of core and app, with per-test coverage) takes minutes on a
  // busy machine, past Stryker's default of 5.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  // TypeScript 7 has no JS API for Stryker to rewrite tsconfig.json with, and vitest needs no
  // rewrite (imports resolve through package.json): name no tsconfig.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Re-runs test only the mutants whose code or tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
};
