/**
 * The deployment state machine (BRIEF §4), in one place: every status change goes through
 * `assertTransition`, and anything it does not allow is a CONFLICT naming both states.
 */
import { conflict } from '../../../platform/errors';
import type { DeploymentStatus } from '../entities/deployment';
import type { LogLevel } from '../entities/deployment-event';

const TRANSITIONS: Readonly<Record<DeploymentStatus, readonly DeploymentStatus[]>> = {
  QUEUED: ['RUNNING', 'CANCELLED'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'CANCELLED'],
  SUCCEEDED: ['ROLLED_BACK'],
  FAILED: [],
  CANCELLED: [],
  ROLLED_BACK: [],
};

/**
 * Why a status changes: asked for (by a user or an agent), or as the consequence of a rollback
 * succeeding — the only way a deployment becomes ROLLED_BACK.
 */
export type TransitionCause = 'request' | 'rollback';

export function canTransition(
  from: DeploymentStatus,
  to: DeploymentStatus,
  cause: TransitionCause = 'request',
): boolean {
  return TRANSITIONS[from].includes(to) && (to === 'ROLLED_BACK') === (cause === 'rollback');
}

export function assertTransition(
  from: DeploymentStatus,
  to: DeploymentStatus,
  cause: TransitionCause = 'request',
): void {
  if (canTransition(from, to, cause)) return;
  const hint =
    to === 'ROLLED_BACK'
      ? ' A deployment becomes ROLLED_BACK only when a rollback of it succeeds.'
      : '';
  throw conflict(`A deployment cannot go from ${from} to ${to}.${hint}`, { from, to });
}

/** Whether the deployment has run its course: no agent works on it any more. */
export function hasFinished(status: DeploymentStatus): boolean {
  return status !== 'QUEUED' && status !== 'RUNNING';
}

/** How loudly a status change shows in the deployment's history. */
export function levelOf(status: DeploymentStatus): LogLevel {
  if (status === 'FAILED') return 'ERROR';
  if (status === 'CANCELLED' || status === 'ROLLED_BACK') return 'WARN';
  return 'INFO';
}
