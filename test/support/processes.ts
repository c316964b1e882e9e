/**
 * Ports, process groups and clean-up of services a test or benchmark starts as real processes.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
const EPHEMERAL_LOW = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
  } catch {
    return 32_768;
  }
})();

/**
 * A port nothing listens on on loopback (until someone does), for a server started later — often
 * a process of its own, sometimes killed and restarted on it. Chosen in the 10,000 ports below
 * the kernel's ephemeral range, never in it: a port from that range (what listening on port 0
 * hands out) may meanwhile become the local port of any outgoing connection, of which a test run
 * makes thousands, and the server's bind would then fail with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = EPHEMERAL_LOW - 1 - Math.floor(Math.random() * 10_000);
    if (await isPortFree(port)) return port;
  }
}

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
