/**
 * File order of a run: vitest's own (group by group, project by project; within a project the
 * files that took longest last time first, or, with no record as on a fresh clone, the largest
 * first), except that the files known to take longest start first within their project. On a
 * fresh clone size says little about duration (a short file that starts local stacks outlasts a
 * long one of pure checks), and a long file started last holds up the run while the other worker
 * has nothing left to do.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Slowest first, as measured on a 2-core machine (paths from the project root). */
const SLOW_FILES = [
  'test/integration/local/main-process.test.ts',
  'test/integration/local/external-endpoints.test.ts',
  'test/integration/local/otel-export.test.ts',
  'test/integration/http/authorization-matrix.test.ts',
  'test/integration/http/fuzz.property.test.ts',
  'test/integration/http/authorization-matrix-agents.test.ts',
  'test/integration/http/ai-routes.test.ts',
  'test/integration/use-cases/sweep.test.ts',
  'test/unit/functions/http/slow-store.test.ts',
  'test/e2e/dashboard/dashboard.test.ts',
  'test/e2e/faults-crash.test.ts',
];

const rankOf = (spec: TestSpecification): number => {
  const path = spec.moduleId.slice(spec.project.config.root.length + 1).replaceAll('\\', '/');
  const rank = SLOW_FILES.indexOf(path);
  return rank === -1 ? SLOW_FILES.length : rank;
};

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const position = new Map(sorted.map((spec, index) => [spec, index]));
    // A stable sort that keeps vitest's groups and project order: only a project's known slow
    // files move ahead of its other files.
    return [...sorted].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0) return group;
      if (a.project.name !== b.project.name) return (position.get(a) ?? 0) - (position.get(b) ?? 0);
      return rankOf(a) - rankOf(b) || (position.get(a) ?? 0) - (position.get(b) ?? 0);
    });
  }
}
