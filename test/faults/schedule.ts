/**
 * The seeded part of a fault run: which faults happen in which order, the pauses between them,
 * which subscribers lose their sockets, and the clients' backoff jitter. The same seed replays
 * the same schedule (the system's own timing still varies with the machine's load).
 */

/** mulberry32: small, fast, and good enough to spread faults and jitter. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  pick<T>(options: readonly T[]): T {
    return options[Math.floor(this.next() * options.length)]!;
  }
  between(min: number, max: number): number {
    return Math.floor(min + this.next() * (max - min + 1));
  }
  shuffle<T>(items: T[]): T[] {
    const result = [...items];
    for (let i = result.length - 1; i > 0; i--) {
      const j = this.between(0, i);
      [result[i], result[j]] = [result[j]!, result[i]!];
    }
    return result;
  }
  /** An independent stream for one consumer, derived from this one. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 2 ** 32));
  }
}

export type Fault =
  | { kind: 'kill'; service: string }
  | { kind: 'redis-restart' }
  | { kind: 'postgres-restart' }
  | { kind: 'socket-drop'; subscribers: number[] };

export interface ScheduledFault {
  /** Pause before this fault, after the previous one recovered. */
  pauseMs: number;
  fault: Fault;
}

export const describeFault = (fault: Fault): string =>
  fault.kind === 'kill'
    ? `SIGKILL ${fault.service}`
    : fault.kind === 'socket-drop'
      ? `socket drop of ${fault.subscribers.length} subscribers`
      : fault.kind;

/**
 * Every fault kind `times` times, in a seeded order, with seeded pauses: each service killed,
 * Redis and PostgreSQL restarted, and client sockets dropped (a seeded subset each time).
 */
export function faultSchedule(
  random: Random,
  options: { services: string[]; subscribers: number; times: number; pauseMs: [number, number] },
): ScheduledFault[] {
  const faults: Fault[] = [];
  for (let round = 0; round < options.times; round++) {
    for (const service of options.services) faults.push({ kind: 'kill', service });
    faults.push({ kind: 'redis-restart' }, { kind: 'postgres-restart' });
    const all = Array.from({ length: options.subscribers }, (_, i) => i);
    const dropped = random.shuffle(all).slice(0, Math.max(1, Math.floor(options.subscribers / 3)));
    faults.push({ kind: 'socket-drop', subscribers: dropped.sort((a, b) => a - b) });
  }
  return random.shuffle(faults).map((fault) => ({
    pauseMs: random.between(options.pauseMs[0], options.pauseMs[1]),
    fault,
  }));
}
