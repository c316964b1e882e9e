/**
 * A bound on how many requests a process works on at once; the others wait their turn, first
 * come first served. One JavaScript thread gains nothing from more requests in flight than it
 * takes to stay busy while some wait on the database, and loses by it: dozens of half-built
 * answers interleaved cost more CPU per request than a few at a time (the subgraphs' CPU per
 * dashboard request fell to 0.73–0.90× at 50 and 200 clients, docs/benchmarks.md; the time
 * garbage collection took per request stayed the same, so the likely cause is memory locality),
 * and every answer comes later.
 */
/** What a subgraph process admits unless configured otherwise (MAX_CONCURRENT_REQUESTS). */
export const DEFAULT_CONCURRENT_REQUESTS = 8;

export interface Admission {
  /** Runs `task` when a place is free, and frees it when the task settles. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Requests waiting for a place. */
  waiting(): number;
}

export function createAdmission(limit: number): Admission {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    const next = queue.shift();
    // The place passes straight to the next in line: `running` stays as it is.
    if (next) next();
    else running -= 1;
  };
  return {
    async run(task) {
      if (running < limit) running += 1;
      else await new Promise<void>((resolve) => queue.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
    waiting: () => queue.length,
  };
}
