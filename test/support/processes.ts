/**
 * Ports, process groups and clean-up of services a test or benchmark starts as real processes.
 */
import { createServer, type AddressInfo } from 'node:net';

/** A port nothing listens on on loopback (until someone does), chosen by the system. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** Whether nothing listens on the port on loopback (until someone does). */
export const isPortFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** Whether any process of the group is alive (signal 0 only checks). */
export function processGroupAlive(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
}

const cleanups = new Set<() => void>();

function runCleanups(): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // Best effort: the others still run.
    }
  }
  cleanups.clear();
}

/**
 * A signal's default action ends the process without its 'exit' event: clean up first, then end
 * as the signal would have (unless someone else listens for it and decides).
 */
function cleanUpAndEndAs(signal: NodeJS.Signals): void {
  runCleanups();
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

const STOPPING_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let listening = false;

/**
 * Runs `cleanup` (synchronous) if the test process ends before it is withdrawn — jest giving up
 * on a timed-out run, Ctrl-C in a terminal (pg_ctl puts PostgreSQL in a session of its own, out
 * of the terminal's reach), a CI runner's SIGTERM: no private server or service outlives the
 * test that started it.
 */
export function onExit(cleanup: () => void): () => void {
  if (!listening) {
    listening = true;
    process.once('exit', runCleanups);
    for (const signal of STOPPING_SIGNALS) process.once(signal, cleanUpAndEndAs);
  }
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}
