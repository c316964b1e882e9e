/**
 * `npx tsx bench/profile.ts <file.cpuprofile>… [--top N]`: where --cpu-prof profiles' time went
 * — self time by package (node_modules/<name>, our own folders, Node's internals) and the
 * functions with the most self time, summed over every file given (e.g. the four subgraph
 * processes of one run). `BENCH_PROFILE=1 npm run bench -- gateway` (or `system`) writes the
 * profiles to .bench-profiles/. Where the benchmark wrote its measured windows beside a profile,
 * only those count, and with their request counts the summary gives each function's µs per request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A stretch of a run to keep, in the profiles' clock (microseconds the system has been up). */
export interface ProfileWindow {
  from: number;
  to: number;
  /** Requests answered in it, when known: the summary then says what a request cost. */
  requests?: number;
  /**
   * CPU time (user + system, from /proc) of each profiled process's main thread — the one its
   * profile samples — in it, in ms, by process id: the summary then says how much of the
   * sampled busy time was not CPU time.
   */
  cpuMs?: Record<number, number>;
}

/**
 * Written by the `system` benchmark beside its profiles: the measured windows. Samples outside
 * them (start-up, migrations, seeding, warm-up) are left out of the summary.
 */
export const WINDOWS_FILE = 'windows.json';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package or folder a script belongs to, e.g. "@apollo/gateway", "gateway", "node:http". */
function ownerOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1]!;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  const own = /\/dist\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (own) return own[1] === 'subgraphs' ? `subgraphs/${own[2]}` : own[1]!;
  return url;
}

/** The process id in a --cpu-prof file's name: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile */
const pidOf = (path: string) => Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path)?.[1]);

function summarize(paths: string[], top: number): string {
  const selfByFunction = new Map<string, number>();
  const selfByOwner = new Map<string, number>();
  let total = 0;
  /**
   * Requests answered in the windows kept, or NaN when some file's windows do not say. Profiles
   * beside one windows file (the processes of one run) share its requests: counted once.
   */
  let requests = 0;
  const windowsCounted = new Set<string>();
  /** The processes' CPU time in the windows kept, or NaN when some file's windows do not say. */
  let cpuMs = 0;
  for (const path of paths) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
    const windowsFile = join(dirname(path), WINDOWS_FILE);
    const windows = existsSync(windowsFile)
      ? (JSON.parse(readFileSync(windowsFile, 'utf8')) as ProfileWindow[])
      : null;
    if (!windowsCounted.has(windowsFile)) {
      windowsCounted.add(windowsFile);
      requests += windows?.reduce((sum, window) => sum + (window.requests ?? NaN), 0) ?? NaN;
    }
    const pid = pidOf(path);
    cpuMs += windows?.reduce((sum, window) => sum + (window.cpuMs?.[pid] ?? NaN), 0) ?? NaN;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const micros = profile.timeDeltas[i] ?? 0;
      at += micros;
      if (windows && !windows.some(({ from, to }) => at >= from && at <= to)) return;
      const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
      if (functionName === '(idle)') return;
      total += micros;
      const owner = ownerOf(url, functionName);
      // Our own functions by file (dist/gateway/lean-executor.js → gateway/lean-executor).
      const file = /\/dist\/(.+)\.js$/.exec(url)?.[1] ?? owner;
      const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
      selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros);
      selfByOwner.set(owner, (selfByOwner.get(owner) ?? 0) + micros);
    });
  }
  const perRequest = requests > 0;
  const table = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, micros]) =>
          `| ${((100 * micros) / total).toFixed(1)}% |${perRequest ? ` ${(micros / requests).toFixed(1)} |` : ''} ${name} |`,
      )
      .join('\n');
  const head = (what: string) =>
    perRequest
      ? [`| self | sampled µs per request | ${what} |`, '| --- | --- | --- |']
      : [`| self | ${what} |`, '| --- | --- |'];
  const busyMs = total / 1000;
  return [
    `Busy time: ${busyMs.toFixed(0)} ms` +
      (perRequest
        ? ` over ${requests} requests, ${(busyMs / requests).toFixed(3)} ms per request`
        : ''),
    ...(cpuMs > 0
      ? [
          `Main thread's CPU time (/proc): ${cpuMs.toFixed(0)} ms. The sampler ticks in ` +
            'wall-clock time: busy time above it is time the process was runnable but not ' +
            'running, counted at the function it stood in (often a write system call that ' +
            "woke another process on the same cores); below it, the sampler's own interrupts.",
        ]
      : []),
    '',
    ...head('package'),
    table(selfByOwner),
    '',
    ...head('function'),
    table(selfByFunction),
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0) {
    console.error('Usage: npx tsx bench/profile.ts <file.cpuprofile>… [--top N]');
    process.exit(2);
  }
  console.log(summarize(args, top));
}
