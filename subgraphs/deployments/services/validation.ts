/** Input rules for the deployments domain; each failure names the offending field. */
import { z } from 'zod';
import { badUserInput } from '../../../platform/errors';
import { cursorScope, decodeCursor } from '../../kit/pagination';

/** Names such as an application, a version or an environment: one printable word. */
export const nameRule = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\s\u0000-\u001f\u007f]+$/, 'must not contain spaces or control characters');

/** Whether `value` is a name as nameRule stores it, unchanged: one an exact match can find. */
export const isStoredName = (value: string) => nameRule.safeParse(value).data === value;

export const MAX_LOGS_PER_REPORT = 500;

/** A log line is kept as sent (the text no column can hold is refused for every argument). */
export const logMessageRule = z
  .string()
  .min(1, 'must not be empty')
  .max(10_000, 'must be at most 10000 characters');

/**
 * The scope of a deployment's event cursors (Deployment.events and deploymentEvents, which share
 * them): another deployment's cursor is refused rather than read as a number of this one.
 */
export const eventsScope = (deploymentId: string) => cursorScope('events', deploymentId);

/**
 * Events are numbered 1, 2, … within their deployment; their cursors hold that number, scoped to
 * the deployment (a v1 cursor names none, and is read as before).
 */
export function decodeEventCursor(after: string, deploymentId: string): number {
  const [sequence] = decodeCursor(after, ['number'], 'after', eventsScope(deploymentId)) as [
    number,
  ];
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 2 ** 31 - 1) {
    throw badUserInput('`after` is not a valid cursor.', 'after');
  }
  return sequence;
}
