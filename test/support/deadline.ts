/**
 * Deadlines checked by the order of events rather than by elapsed wall-clock time.
 *
 * "shutdown(300) returns well before the 5 s report deadline" used to be `elapsed < 2000`: a verdict a
 * busy machine could flip, since every timer of the process fires late there. Here the work races a
 * timer of the deadline it must beat, started at the same moment. A loaded machine delays both
 * alike, and timers fire in the order they fall due, so the verdict is whether the work's own (earlier)
 * deadline ended it first: the same on a quiet laptop and on two busy cores.
 */

/** 'settled' when `work` settles before a timer of `ms` set now fires, else 'timer'. */
export async function raceTimer(work: Promise<unknown>, ms: number): Promise<'settled' | 'timer'> {
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<'timer'>((resolve) => {
    timer = setTimeout(() => resolve('timer'), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'settled' as const,
        () => 'settled' as const,
      ),
      fired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
