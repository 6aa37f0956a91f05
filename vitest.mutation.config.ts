import { defineConfig } from 'vitest/config';

// What Stryker runs against each mutant of src/core: the pure unit tests only (milliseconds each,
// no emulators), so a mutation run stays within minutes rather than hours.
export default defineConfig({
  test: {
    include: ['test/unit/core/**/*.test.ts', 'test/unit/app/**/*.test.ts'],
    // Instrumented code (every mutant switchable, per-test coverage) runs many times slower: the
    // state-machine property (0.2 s plain) outlasted the default 5 s on a busy machine. Stryker
    // still stops a mutant that loops, by its own timeout measured from the first run.
    testTimeout: 60_000,
  },
});
