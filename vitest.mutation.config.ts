import { defineConfig } from 'vitest/config';

// What Stryker runs against each mutant of src/core: the pure unit tests only (milliseconds each,
// no emulators), so a mutation run stays within minutes rather than hours.
export default defineConfig({
  test: {
    include: ['test/unit/core/**/*.test.ts', 'test/unit/app/**/*.test.ts'],
  },
});
