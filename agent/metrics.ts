/** Host metrics for heartbeats, from the `os` module and statfs: CPU, memory and disk usage. */
import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem, type CpuInfo } from 'node:os';

export interface HostMetrics {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
}

/** Cumulative CPU time of all cores, split into busy and idle (ms since boot). */
export interface CpuSample {
  busy: number;
  idle: number;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const percent = (part: number, whole: number) =>
  whole > 0 ? round1(Math.min(100, Math.max(0, (part / whole) * 100))) : 0;

export function cpuSample(info: CpuInfo[] = cpus()): CpuSample {
  let busy = 0;
  let idle = 0;
  for (const { times } of info) {
    busy += times.user + times.nice + times.sys + times.irq;
    idle += times.idle;
  }
  return { busy, idle };
}

/**
 * CPU usage between two samples. The counters only grow, so the busy share of the elapsed time
 * is the usage over that interval; without an earlier sample, the average since boot.
 */
export function cpuPercent(previous: CpuSample | null, next: CpuSample): number {
  const busy = next.busy - (previous?.busy ?? 0);
  const idle = next.idle - (previous?.idle ?? 0);
  return percent(busy, busy + idle);
}

export function memoryPercent(total: number, free: number): number {
  return percent(total - free, total);
}

/**
 * Disk usage as `df` shows it: used blocks over the blocks usable by unprivileged users (blocks
 * reserved for root count as neither).
 */
export function diskPercent(fs: { blocks: number; bfree: number; bavail: number }): number {
  const used = fs.blocks - fs.bfree;
  return percent(used, used + fs.bavail);
}

/** Samples the host; CPU usage is measured since the previous sample. */
export function createMetricsSampler(diskPath: string): { sample(): Promise<HostMetrics> } {
  let previous: CpuSample | null = null;
  return {
    async sample() {
      const next = cpuSample();
      const cpu = cpuPercent(previous, next);
      previous = next;
      return {
        cpuPercent: cpu,
        memoryPercent: memoryPercent(totalmem(), freemem()),
        diskPercent: diskPercent(await statfs(diskPath)),
      };
    },
  };
}
