/**
 * Live deployments: `deploymentUpdated` (status changes, organization-scoped) and
 * `deploymentEvents` (a deployment's history, resumable from a cursor). Both are authorized like
 * the equivalent queries when they start; every event is then filtered by organization (and, for
 * a node agent, by its node), so another organization's deployments are never delivered. A
 * deployment never changes organization or node, so nothing else can change per event.
 */
import { changesHead, subscribeToChanges } from '../../kit/change-subscription';
import { forbidden, notFound, unauthenticated } from '../../../platform/errors';
import { findRows, primaryReads } from '../../kit/reads';
import { resumableStream, withStreamCursor } from '../../kit/resumable';
import { createDeploymentsContext, type DeploymentsContext } from '../context';
import { Deployment } from '../entities/deployment';
import { DeploymentEvent } from '../entities/deployment-event';
import type { DeploymentEventAppendedEvent, DeploymentUpdatedEvent } from '../pubsub';
import { findVisibleDeployment } from './access';
import { getDeployment } from './deployments-service';
import { eventCursor } from './events-service';
import { decodeEventCursor } from './validation';

const dateOrNull = (iso: string | null) => (iso === null ? null : new Date(iso));

/**
 * What a caller following deployments (`id`, `nodeId`, or neither) may see: its organization's
 * stream, and the events of it that match. Shared by the subscription and its head, so both
 * are authorized alike.
 */
async function deploymentUpdatesScope(
  ctx: DeploymentsContext,
  args: { id?: string | null; nodeId?: string | null },
) {
  const { principal } = ctx;
  if (!principal) throw unauthenticated();
  let nodeId = args.nodeId ?? null;
  // A node agent follows its own node's deployments only, to learn about new work.
  if (principal.kind === 'node') {
    if (nodeId !== null && nodeId !== principal.nodeId) {
      throw forbidden("A node agent can follow its own node's deployments only.");
    }
    nodeId = principal.nodeId;
  }
  const id = args.id ?? null;
  if (id !== null && !(await findVisibleDeployment(ctx, id))) throw notFound('Deployment');
  const { organizationId } = principal;
  return {
    organizationId,
    match: {
      organizationId,
      ...(id === null ? {} : { id }),
      ...(nodeId === null ? {} : { nodeId }),
    },
  };
}

export async function deploymentUpdated(
  ctx: DeploymentsContext,
  args: { id?: string | null; nodeId?: string | null; after?: string | null },
): Promise<AsyncIterable<DeploymentUpdatedEvent>> {
  const { organizationId, match } = await deploymentUpdatesScope(ctx, args);
  return subscribeToChanges(ctx, {
    topic: 'DEPLOYMENT_UPDATED',
    schema: 'deployments',
    scope: organizationId,
    match,
    after: args.after,
  });
}

/** `deploymentUpdated`'s current head: `after` for a subscription that starts there. */
export async function deploymentUpdatedHead(
  ctx: DeploymentsContext,
  args: { id?: string | null; nodeId?: string | null },
): Promise<string> {
  const { organizationId } = await deploymentUpdatesScope(ctx, args);
  return changesHead(ctx, {
    topic: 'DEPLOYMENT_UPDATED',
    schema: 'deployments',
    scope: organizationId,
  });
}

/**
 * The deployment an event describes, as the Deployment field resolvers expect it. The context
 * lives as long as the subscription, so each event gets fresh loaders (e.g. for `events`).
 */
export function deploymentOf(ctx: DeploymentsContext, event: DeploymentUpdatedEvent): Deployment {
  Object.assign(ctx, createDeploymentsContext(ctx.deps, ctx));
  const deployment = new Deployment(
    event.organizationId,
    event.nodeId,
    event.application,
    event.version,
    event.environment,
    event.triggeredBy,
    event.rollbackOf,
  );
  withStreamCursor(deployment, event.changeCursor);
  return Object.assign(deployment, {
    id: event.id,
    status: event.status,
    createdAt: new Date(event.createdAt),
    startedAt: dateOrNull(event.startedAt),
    finishedAt: dateOrNull(event.finishedAt),
  });
}

function eventOf(appended: DeploymentEventAppendedEvent): DeploymentEvent {
  const event = new DeploymentEvent(
    appended.deploymentId,
    appended.sequence,
    appended.type,
    appended.level,
    appended.message,
    appended.status,
  );
  return Object.assign(event, { id: appended.id, createdAt: new Date(appended.createdAt) });
}

export async function deploymentEvents(
  ctx: DeploymentsContext,
  args: { deploymentId: string; after?: string | null },
): Promise<AsyncIterable<DeploymentEvent>> {
  const deployment = await getDeployment(ctx, args.deploymentId);
  // A bad cursor is the client's mistake: refuse it now rather than once the stream runs.
  if (args.after != null) decodeEventCursor(args.after, deployment.id);
  const { pubsub } = ctx.deps;
  const head = async () =>
    (await ctx.deps.fork().findOneOrFail(Deployment, { id: deployment.id })).lastEventSequence;
  return resumableStream<DeploymentEvent>({
    stream: ctx.stream,
    after: args.after,
    decode: (cursor) => decodeEventCursor(cursor, deployment.id),
    encode: (sequence) => eventCursor({ sequence, deploymentId: deployment.id }),
    listen: (push) =>
      pubsub.listen(
        'DEPLOYMENT_EVENT_APPENDED',
        (appended) => (appended.deploymentId === deployment.id ? eventOf(appended) : null),
        push,
      ),
    head,
    checkHead: () => pubsub.sharedHead(`events:${deployment.id}`, head),
    // Plain rows on the primary, a fresh EntityManager per page: a replay only sends what it
    // reads, so no entity (identity map, change-tracking snapshot) is worth building.
    replay: (after, limit) =>
      findRows(
        primaryReads(ctx.deps.fork),
        DeploymentEvent,
        { deploymentId: deployment.id, sequence: { $gt: after } },
        { orderBy: { sequence: 'asc' }, limit },
      ),
    position: (event) => event.sequence,
    cursor: eventCursor,
    pollIntervalMs: pubsub.pollIntervalMs,
    wake: (signal) => pubsub.onRecovered(signal),
  });
}
