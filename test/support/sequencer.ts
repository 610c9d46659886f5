import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suite's longest files, started first, longest first: measured in one full run (issue #28, at
 * load ~12 on 2 cores: 20-130 s each for processes, floods and soaks), and ordered by what each still
 * holds the run open for now that their independent cases run at once (auto-instrumentations'
 * sixteen apps, register's six, diag's two soaks).
 * Vitest orders by the durations of the last run, which a fresh clone (CI) does not have; by file
 * size instead, a long file could start last and hold the run open alone at its end (before this
 * list named it, auto-instrumentations did: the last 55 s of the suite part, alone).
 */
const LONGEST_FIRST = [
  'test/diag.test.ts',
  'compat-tests/interop.test.ts',
  'test/logs/auto-instrumentations.test.ts',
  'test/opentelemetry/register.test.ts',
  'test/logs/pino.test.ts',
  'test/segment/encode.test.ts',
  'test/logs/pino-bounds.test.ts',
  'test/config-messages.test.ts',
  'test/logs/log-examples.test.ts',
  'test/propagation/fuzz.test.ts',
  'test/docs-examples.test.ts',
  'compat-tests/queue-bound.test.ts',
  'test/values.test.ts',
  'test/reporter/register-exit.test.ts',
  'compat-tests/subpaths.test.ts',
  'compat-tests/faults.test.ts',
  'compat-tests/package.test.ts',
  'test/collector/server.test.ts',
  'compat-tests/collector-abuse.test.ts',
  'test/reporter/tls-and-process.test.ts',
  'test/forward/files.test.ts',
  'test/logs/reporter.test.ts',
  'test/reporter/shutdown-settles.test.ts',
  'test/docs.test.ts',
  'test/reporter/grpc.test.ts',
  'compat-tests/go/go2sky-interop.test.ts',
  'compat-tests/demo.test.ts',
  'test/exports.test.ts',
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
