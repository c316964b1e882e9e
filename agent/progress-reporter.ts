/**
 * Reports a deployment's progress so that each report is applied exactly once.
 *
 * reportDeploymentProgress is not idempotent: sent twice, its log lines are stored twice. Yet
 * the agent must retry when the gateway fails. When a failure proves the request had no effect
 * (connection refused, rate limited, token refused), the same report is simply sent again. When
 * it may have been applied (the connection dropped after sending, a timeout, a 5xx), resending
 * blindly could duplicate it and giving up could lose it, so the agent first asks the API what
 * happened: a report with no logs and no status changes nothing, and returns the deployment with
 * its events after the last cursor this agent knows. Only this agent appends LOG events to a
 * deployment it claimed, and it sends its reports one at a time, so a LOG event after that cursor
 * can only come from the report in doubt: it landed, and is recorded as delivered; otherwise it
 * is sent again. (A request still in flight inside the servers when the agent checks could land
 * later still; the check comes only after a backoff delay, which makes that window small.)
 *
 * Each report carries a key (its step and sequence number) and the reporter keeps, in memory,
 * the set of keys delivered for its deployment, so a step is never reported twice even if the
 * caller asks again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/logger';
import { backoffDelay } from './backoff';
import type { LogLine } from './executors/executor';
import { isTransient } from './gateway-client';
import { retryTransient, type NodeSession } from './node-session';

export type FinalStatus = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface Report {
  /** Unique within the deployment, e.g. `3:health check`. */
  key: string;
  logs: LogLine[];
  status?: FinalStatus;
}

const REPORT = `
  mutation AgentReportProgress($input: ReportDeploymentProgressInput!) {
    reportDeploymentProgress(input: $input) {
      status
      events(last: 1) { pageInfo { endCursor } }
    }
  }`;

/** Changes nothing; reads what happened after `after`. */
const CHECK = `
  mutation AgentCheckProgress($input: ReportDeploymentProgressInput!, $after: String) {
    reportDeploymentProgress(input: $input) {
      status
      events(after: $after, first: 500) { edges { node { type } } pageInfo { endCursor } }
    }
  }`;

interface ReportResult {
  reportDeploymentProgress: { status: string; events: { pageInfo: { endCursor: string | null } } };
}

interface CheckResult {
  reportDeploymentProgress: {
    status: string;
    events: { edges: { node: { type: string } }[]; pageInfo: { endCursor: string | null } };
  };
}

export interface ProgressReporter {
  /** Delivers `report` exactly once; resolves with the deployment's status afterwards. */
  send(report: Report): Promise<string>;
  /** Keys of the reports delivered so far, in order. */
  readonly delivered: readonly string[];
}

export function createProgressReporter(deps: {
  session: NodeSession;
  logger: Logger;
  deploymentId: string;
  /** The last event this agent knows of (from the claim): where the check looks after. */
  cursor: string | null;
  signal?: AbortSignal;
}): ProgressReporter {
  const { session, logger, deploymentId, signal } = deps;
  let cursor = deps.cursor;
  let status = 'RUNNING';
  const delivered: string[] = [];
  const deliveredKeys = new Set<string>();

  const accept = (report: Report, result: { status: string }, endCursor: string | null) => {
    deliveredKeys.add(report.key);
    delivered.push(report.key);
    status = result.status;
    cursor = endCursor ?? cursor;
    return status;
  };

  /** Whether a report whose outcome is unknown was applied (and if so, records it). */
  async function landed(report: Report): Promise<boolean> {
    const data = await retryTransient(
      logger,
      'checking a report',
      () =>
        session.request<CheckResult>(
          CHECK,
          { input: { deploymentId, logs: [] }, after: cursor },
          signal,
        ),
      signal,
    );
    const result = data.reportDeploymentProgress;
    // A report with neither logs nor status changes nothing: the check did all it would do.
    const applied =
      report.logs.length > 0
        ? result.events.edges.some(({ node }) => node.type === 'LOG')
        : report.status === undefined || result.status === report.status;
    if (applied) accept(report, result, result.events.pageInfo.endCursor);
    return applied;
  }

  return {
    delivered,
    async send(report) {
      if (deliveredKeys.has(report.key)) return status;
      const input = {
        deploymentId,
        logs: report.logs,
        ...(report.status && { status: report.status }),
      };
      for (let attempt = 0; ; attempt++) {
        try {
          const data = await session.request<ReportResult>(REPORT, { input }, signal);
          const result = data.reportDeploymentProgress;
          return accept(report, result, result.events.pageInfo.endCursor);
        } catch (error) {
          if (!isTransient(error)) throw error;
          const delayMs = error.retryAfterMs ?? backoffDelay(attempt);
          logger.warn(
            { err: error, deploymentId, report: report.key, attempt: attempt + 1, delayMs },
            'reporting progress failed; retrying',
          );
          await sleep(delayMs, undefined, { signal });
          if (error.processed === 'maybe' && (await landed(report))) {
            logger.info({ deploymentId, report: report.key }, 'the report had been applied');
            return status;
          }
        }
      }
    },
  };
}
