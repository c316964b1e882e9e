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
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Stops accepting connections, lets in-flight requests finish, then closes idle keep-alives. */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
