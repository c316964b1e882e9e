/**
 * Runs one claimed deployment: the executor narrates its steps, and the lines are reported in
 * order, one report per step (long steps are flushed periodically so their output streams),
 * ending with the final status.
 */
import type { Logger } from '../platform/logger';
import type { DeploymentJob, Executor, LogLevel, LogLine } from './executors/executor';
import { GatewayError } from './gateway-client';
import type { NodeSession } from './node-session';
import { createProgressReporter, type FinalStatus } from './progress-reporter';

/** The API's limits on one report: at most 500 lines of at most 10,000 characters. */
const MAX_LINES_PER_REPORT = 500;
const MAX_MESSAGE_LENGTH = 10_000;
/** How long a line may wait for the rest of its step before it is sent anyway. */
const FLUSH_AFTER_MS = 500;

export interface ClaimedDeployment extends DeploymentJob {
  /** The last event's cursor when it was claimed. */
  cursor: string | null;
}

/** How a run ended, for the agent's own logs and tests. */
export type RunOutcome = FinalStatus | 'CANCELLED_BY_USER' | 'REPORTING_FAILED';

export async function runDeployment(deps: {
  deployment: ClaimedDeployment;
  executor: Executor;
  session: NodeSession;
  logger: Logger;
  /** Aborts when the agent stops: the current step is abandoned. */
  stopSignal: AbortSignal;
  /** Aborts when the agent may no longer wait for the API (the shutdown deadline). */
  reportSignal: AbortSignal;
}): Promise<RunOutcome> {
  const { deployment, executor, stopSignal } = deps;
  const logger = deps.logger.child({ deploymentId: deployment.id });
  const reporter = createProgressReporter({
    session: deps.session,
    logger,
    deploymentId: deployment.id,
    cursor: deployment.cursor,
    signal: deps.reportSignal,
  });
  const execution = new AbortController();
  const abandon = () => execution.abort(new Error(`The agent is stopping.`));
  stopSignal.addEventListener('abort', abandon, { once: true });

  let step = 'prepare';
  let sequence = 0;
  const buffer: LogLine[] = [];
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let cancelledByUser = false;
  let reportingError: unknown = null;

  /** Queues the buffered lines as the next report; reports go out one at a time, in order. */
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    while (buffer.length > 0) {
      const logs = buffer.splice(0, MAX_LINES_PER_REPORT);
      const key = `${++sequence}:${step}`;
      queue = queue.then(async () => {
        if (cancelledByUser || reportingError) return;
        try {
          const status = await reporter.send({ key, logs });
          // Cancelled by a user meanwhile: stop working on it.
          if (status === 'CANCELLED') {
            cancelledByUser = true;
            execution.abort(new Error('The deployment was cancelled.'));
          }
        } catch (error) {
          reportingError = error;
          execution.abort(error);
        }
      });
    }
  };

  const sink = {
    step(name: string) {
      flush();
      step = name;
      logger.info({ step }, 'step');
    },
    log(level: LogLevel, message: string) {
      buffer.push({ level, message: message.slice(0, MAX_MESSAGE_LENGTH) });
      if (buffer.length >= MAX_LINES_PER_REPORT) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
  };

  logger.info(
    { application: deployment.application, version: deployment.version },
    'running a deployment',
  );
  let final: { status: FinalStatus; log: LogLine };
  try {
    const result = await executor.run(deployment, sink, execution.signal);
    final =
      result.status === 'SUCCEEDED'
        ? { status: 'SUCCEEDED', log: { level: 'INFO', message: 'Deployment succeeded.' } }
        : {
            status: 'FAILED',
            log: { level: 'ERROR', message: `Deployment failed: ${result.reason}` },
          };
  } catch (error) {
    final = stopSignal.aborted
      ? {
          status: 'CANCELLED',
          log: {
            level: 'WARN',
            message: `The node agent stopped during step "${step}"; the deployment was abandoned.`,
          },
        }
      : {
          status: 'FAILED',
          log: {
            level: 'ERROR',
            message: `Deployment failed: the executor crashed during step "${step}".`,
          },
        };
    if (!execution.signal.aborted) logger.error({ err: error }, 'the executor crashed');
  } finally {
    stopSignal.removeEventListener('abort', abandon);
  }

  flush();
  await queue;
  if (cancelledByUser) {
    logger.info('the deployment was cancelled by a user');
    return 'CANCELLED_BY_USER';
  }
  if (reportingError) {
    logger.error({ err: reportingError }, 'reporting progress failed; giving the deployment up');
    return 'REPORTING_FAILED';
  }
  try {
    const status = await reporter.send({
      key: `${++sequence}:result`,
      logs: [final.log],
      status: final.status,
    });
    logger.info({ status, reports: reporter.delivered.length }, 'deployment finished');
    return final.status;
  } catch (error) {
    // CONFLICT: a user cancelled it between our last report and this one.
    if (error instanceof GatewayError && error.code === 'CONFLICT') {
      logger.info({ reason: error.message }, 'the deployment was cancelled by a user');
      return 'CANCELLED_BY_USER';
    }
    logger.error({ err: error }, 'reporting the result failed');
    return 'REPORTING_FAILED';
  }
}
