/** Input rules for the deployments domain; each failure names the offending field. */
import { z } from 'zod';
import { badUserInput } from '../../../platform/errors';
import { isUuid } from '../../kit/ids';
import { decodeCursor } from '../../kit/pagination';

/** Names such as an application, a version or an environment: one printable word. */
export const nameRule = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\s\u0000-\u001f\u007f]+$/, 'must not contain spaces or control characters');

export const MAX_LOGS_PER_REPORT = 500;

export const logMessageRule = z
  .string()
  .min(1, 'must not be empty')
  .max(10_000, 'must be at most 10000 characters')
  // PostgreSQL text cannot hold NUL; anything else a log line may contain is kept as sent.
  .refine((message) => !message.includes('\u0000'), 'must not contain NUL characters');

const MAX_TIME = Date.UTC(9999, 11, 31);

/** Deployments are listed newest first; their cursors hold (createdAt, id). */
export function decodeDeploymentCursor(after: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(after, ['string', 'string']) as [string, string];
  const createdAt = new Date(at);
  const time = createdAt.getTime();
  // Only times PostgreSQL can compare with (a forged cursor must not become a SQL error).
  if (!(time >= 0 && time <= MAX_TIME) || !isUuid(id)) {
    throw badUserInput('`after` is not a valid cursor.', 'after');
  }
  return { createdAt, id };
}

/** Events are numbered 1, 2, … within their deployment; their cursors hold that number. */
export function decodeEventCursor(after: string): number {
  const [sequence] = decodeCursor(after, ['number']) as [number];
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 2 ** 31 - 1) {
    throw badUserInput('`after` is not a valid cursor.', 'after');
  }
  return sequence;
}
