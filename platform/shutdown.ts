/**
 * Graceful shutdown: on SIGTERM or SIGINT, run each step in order (HTTP, then WebSocket, then
 * Redis, then the database), each bounded by a timeout, then exit.
 */
import type { Server } from 'node:http';
import type { Logger } from './logger';

export type ShutdownStep = [name: string, run: () => Promise<void>];

export function registerShutdown(logger: Logger, steps: ShutdownStep[], timeoutMs = 10_000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const [name, run] of steps) {
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), timeoutMs).unref(),
      );
      const outcome = await Promise.race([run().then(() => 'done' as const), timeout]).catch(
        (error: unknown) => {
          logger.error({ err: error, step: name }, 'shutdown step failed');
          return 'failed' as const;
        },
      );
      if (outcome === 'timeout') logger.warn({ step: name }, 'shutdown step timed out');
    }
    logger.info('stopped');
    process.exit(0);
  };
  // Listening for good: a repeated signal must not take the default action during the drain.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Emitted on an HTTP server when it stops accepting connections. WebSocket servers attached to
 * it close their sockets then (1001, going away): upgraded sockets count as open connections,
 * so the HTTP server could not finish closing while they live.
 */
export const HTTP_CLOSING = 'opsgraph:closing';

/** Stops accepting connections, closes idle keep-alives and WebSockets, lets in-flight requests finish. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    server.emit(HTTP_CLOSING);
  });
}

/** Closes every socket of a WebSocket server with 1001 when its HTTP server closes. */
export function goAwayOnClose(
  server: Server,
  sockets: () => Iterable<{ close(code: number, reason: string): void }>,
): void {
  server.once(HTTP_CLOSING, () => {
    for (const socket of sockets()) socket.close(1001, 'Going away');
  });
}
