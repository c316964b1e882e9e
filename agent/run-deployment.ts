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
/**
 * How much log text, JSON-encoded, makes a report go at once: the gateway refuses a request body
 * over MAX_BODY_BYTES (1 MB by default), and 500 lines of 10,000 characters are 5 MB or more. A
 * report is at most this and one line (at most 60 KB even if every character is escaped).
 */
const MAX_REPORT_BYTES = 256 * 1024;
/** What a line adds to a report's body besides its message: its level, keys and punctuation. */
const LINE_OVERHEAD_BYTES = 32;
/** How long a line may wait for the rest of its step before it is sent anyway. */
const FLUSH_AFTER_MS = 500;

/** What PostgreSQL cannot store as text, so the API refuses it: NUL, and unpaired surrogates. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A line of a command's output as the API takes it: what it cannot store becomes U+FFFD, and a
 * line too long is cut on a code point boundary (cutting inside an emoji's surrogate pair would
 * leave half of it, which the API refuses like any unpaired surrogate).
 */
export function reportableLine(message: string): string {
  let end = Math.min(message.length, MAX_MESSAGE_LENGTH);
  const high = message.charCodeAt(end - 1);
  if (end < message.length && high >= 0xd800 && high <= 0xdbff) end -= 1;
  return message.slice(0, end).replace(UNSTORABLE, '\uFFFD');
}

/** What `line` adds to a report's request body. */
const encodedSize = (line: LogLine) =>
  Buffer.byteLength(JSON.stringify(line.message)) + LINE_OVERHEAD_BYTES;

/** A change of one of the node's deployments, as the work subscription brings it. */
export interface DeploymentUpdate {
  id: string;
  status: string;
}

export interface ClaimedDeployment extends DeploymentJob {
  /** The last event's cursor when it was claimed. */
  cursor: string | null;
}

/**
 * How a run ended, for the agent's own logs and tests: the status it reported, ENDED_ELSEWHERE
 * when the deployment stopped being RUNNING without this agent (a user cancelled it, its lease
 * lapsed), or REPORTING_FAILED when the API could not be told.
 */
export type RunOutcome = FinalStatus | 'ENDED_ELSEWHERE' | 'REPORTING_FAILED';

/**
 * Whether a status says the deployment is over. Not merely "not RUNNING": the subscription may
 * still bring its QUEUED announcement after the claim.
 */
const hasFinished = (status: string) => status !== 'QUEUED' && status !== 'RUNNING';

/** The status a refused report says the deployment has, when it finished without us. */
function finishedStatus(error: unknown): string | null {
  if (!(error instanceof GatewayError) || error.code !== 'CONFLICT') return null;
  return typeof error.extensions.from === 'string' ? error.extensions.from : null;
}

export async function runDeployment(deps: {
  deployment: ClaimedDeployment;
  executor: Executor;
  session: NodeSession;
  logger: Logger;
  /** Aborts when the agent stops: the current step is abandoned. */
  stopSignal: AbortSignal;
  /** Aborts when the agent may no longer wait for the API (the shutdown deadline). */
  reportSignal: AbortSignal;
  /** Follows the node's deployments' status changes (the work subscription), if subscribed. */
  onDeploymentUpdated?: (listener: (update: DeploymentUpdate) => void) => () => void;
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
  const aborted = new Promise<never>((_resolve, reject) =>
    execution.signal.addEventListener('abort', () => reject(execution.signal.reason), {
      once: true,
    }),
  );
  aborted.catch(() => undefined);

  let step = 'prepare';
  let steps = 0;
  let sequence = 0;
  const buffer: LogLine[] = [];
  /** The encoded size of the lines in `buffer`. */
  let bufferedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  /** The status the deployment reached without this agent: it stops working on it. */
  let endedAs: string | null = null;
  let reportingError: unknown = null;

  const endedElsewhere = (status: string) => {
    endedAs ??= status;
    execution.abort(new Error(`The deployment is ${status}.`));
  };
  // A user's cancel reaches a subscribed agent at once, even during a step that prints nothing.
  const stopFollowing = deps.onDeploymentUpdated?.((update) => {
    if (update.id === deployment.id && hasFinished(update.status)) endedElsewhere(update.status);
  });

  /** Queues a report of `logs`; reports go out one at a time, in order. */
  const queueReport = (logs: LogLine[]) => {
    const key = `${++sequence}:${step}`;
    queue = queue.then(async () => {
      if (endedAs || reportingError) return;
      try {
        // Every answer says the deployment's status: a finished one ended without us (a user
        // cancelled it, its lease lapsed while we were cut off).
        const status = await reporter.send({ key, logs });
        if (hasFinished(status)) endedElsewhere(status);
      } catch (error) {
        const status = finishedStatus(error);
        if (status) {
          endedElsewhere(status);
          return;
        }
        reportingError = error;
        execution.abort(error);
      }
    });
  };

  /** Queues the buffered lines; with `statusCheck`, an empty report when there are none. */
  const flush = (statusCheck = false) => {
    clearTimeout(timer);
    timer = undefined;
    if (statusCheck && buffer.length === 0) queueReport([]);
    while (buffer.length > 0) queueReport(buffer.splice(0, MAX_LINES_PER_REPORT));
    bufferedBytes = 0;
  };

  const sink = {
    async step(name: string) {
      // A step after the first starts only once the API has the previous step's lines and
      // says the deployment is still RUNNING: without a subscription, and after a step that
      // printed nothing, that is how a cancel (or a lapsed lease) is heard of before the next
      // command runs.
      if (steps++ > 0) {
        flush(true);
        await Promise.race([queue, aborted]);
      }
      step = name;
      logger.info({ step }, 'step');
    },
    log(level: LogLevel, message: string) {
      const line: LogLine = { level, message: reportableLine(message) };
      buffer.push(line);
      bufferedBytes += encodedSize(line);
      if (buffer.length >= MAX_LINES_PER_REPORT || bufferedBytes >= MAX_REPORT_BYTES) flush();
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
    // From here on, status changes are this agent's own.
    stopFollowing?.();
  }

  const stoppedWorking = (status: string): RunOutcome => {
    logger.warn({ status }, `the deployment is ${status}; stopped working on it`);
    return 'ENDED_ELSEWHERE';
  };
  flush();
  await queue;
  if (endedAs) return stoppedWorking(endedAs);
  if (reportingError instanceof GatewayError) {
    // The API refused a report (e.g. BAD_USER_INPUT): the deployment cannot go on, but it must
    // not stay RUNNING in silence until its lease lapses either.
    logger.error({ err: reportingError }, 'the API refused a report; failing the deployment');
    final = {
      status: 'FAILED',
      log: {
        level: 'ERROR',
        message: `Deployment failed: the API refused its log lines: ${reportingError.message}`,
      },
    };
  } else if (reportingError) {
    logger.error({ err: reportingError }, 'reporting progress failed; giving the deployment up');
    return 'REPORTING_FAILED';
  }
  try {
    const status = await reporter.send({
      key: `${++sequence}:result`,
      logs: [{ ...final.log, message: reportableLine(final.log.message) }],
      status: final.status,
    });
    logger.info({ status, reports: reporter.delivered.length }, 'deployment finished');
    return final.status;
  } catch (error) {
    // It ended without us between our last report and this one.
    const status = finishedStatus(error);
    if (status) return stoppedWorking(status);
    logger.error({ err: error }, 'reporting the result failed');
    return 'REPORTING_FAILED';
  }
}
