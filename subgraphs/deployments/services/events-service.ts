/** A deployment's history, paged forward from a cursor or from its latest end. */
import { badUserInput } from '../../../platform/errors';
import {
  connectionOf,
  encodeCursor,
  forwardConnection,
  pageSize,
  type Connection,
} from '../../kit/pagination';
import type { DeploymentsContext } from '../context';
import type { Deployment } from '../entities/deployment';
import type { DeploymentEvent } from '../entities/deployment-event';
import { decodeEventCursor, eventsScope } from './validation';

/** The event's place in its deployment's history; `after` takes it to resume past the event. */
export const eventCursor = (event: Pick<DeploymentEvent, 'sequence' | 'deploymentId'>): string =>
  encodeCursor([event.sequence], eventsScope(event.deploymentId));

/** `events(first, after, last)`, for a deployment the caller was already allowed to see. */
export async function eventPage(
  ctx: DeploymentsContext,
  deployment: Deployment,
  args: { first?: number | null; after?: string | null; last?: number | null },
): Promise<Connection<DeploymentEvent>> {
  if (args.first != null && args.last != null) {
    throw badUserInput('Pass `first` or `last`, not both.', 'last');
  }
  const after = args.after != null ? decodeEventCursor(args.after, deployment.id) : 0;
  // Oldest first either way; one row more than the page tells whether more remain beyond it.
  const load = (end: 'first' | 'last', size: number) =>
    ctx.loaders.eventPages.load({ deploymentId: deployment.id, end, limit: size + 1, after });
  if (args.last == null) {
    const size = pageSize(args.first, 'first');
    const rows = await load('first', size);
    return forwardConnection(
      rows,
      size,
      (event) => [event.sequence],
      after > 0,
      eventsScope(deployment.id),
    );
  }
  const size = pageSize(args.last, 'last');
  const rows = await load('last', size);
  return connectionOf(rows.slice(Math.max(0, rows.length - size)), eventCursor, {
    hasNextPage: false,
    hasPreviousPage: rows.length > size,
  });
}
