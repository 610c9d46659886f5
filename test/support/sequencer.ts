import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suite's longest files (measured: ~10-20 s each for processes, floods and soaks, then those of
 * 2-5 s), started first, longest first.
 * Vitest orders by the durations of the last run, which a fresh clone (CI) does not have; by file
 * size instead, a long file could start last and hold the run open alone at its end.
 */
const LONGEST_FIRST = [
  'compat-tests/interop.test.ts',
  'test/diag.test.ts',
  'test/opentelemetry/register.test.ts',
  'compat-tests/queue-bound.test.ts',
  'compat-tests/faults.test.ts',
  'test/logs/pino-bounds.test.ts',
  'test/propagation/fuzz.test.ts',
  'test/reporter/grpc.test.ts',
  'test/logs/pino.test.ts',
  'test/segment/encode.test.ts',
  'test/logs/reporter.test.ts',
  'test/collector/server.test.ts',
  'test/reporter/grpc-paths.test.ts',
  'test/reporter/tls-and-process.test.ts',
  'test/config-messages.test.ts',
  'compat-tests/go/go2sky-interop.test.ts',
  'compat-tests/subpaths.test.ts',
  'compat-tests/demo.test.ts',
  'test/exports.test.ts',
  'compat-tests/package.test.ts',
  'test/opentelemetry/exporter-down.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((f) => spec.moduleId.endsWith(f));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    // stable: within a group, the named files first in this order, the rest as vitest sorted them
    return sorted
      .map((spec, i) => ({ spec, i }))
      .sort(
        (a, b) =>
          a.spec.project.config.sequence.groupOrder - b.spec.project.config.sequence.groupOrder ||
          rank(a.spec) - rank(b.spec) ||
          a.i - b.i,
      )
      .map(({ spec }) => spec);
  }
}
