/**
 * Live node status: `nodeStatusChanged`, authorized like `node(id)` (one node) or `nodes` (the
 * whole organization) when it starts. Every event is filtered by organization, so another
 * organization's nodes are never delivered; a node never changes organization, so nothing else
 * can change per event.
 */
import { changeStream, decodeChangeCursor } from '../../kit/change-log';
import { requireUser } from '../../kit/guards';
import { withStreamCursor } from '../../kit/resumable';
import { createNodesContext, type NodesContext } from '../context';
import type { Node } from '../entities/node';
import type { NodeStatusChangedEvent } from '../pubsub';
import { getNode } from './nodes-service';

export async function nodeStatusChanged(
  ctx: NodesContext,
  args: { nodeId?: string | null; after?: string | null },
): Promise<AsyncIterable<NodeStatusChangedEvent>> {
  const nodeId = args.nodeId ?? null;
  const { organizationId } =
    nodeId === null ? requireUser(ctx.principal) : await getNode(ctx, nodeId);
  // A bad cursor is the client's mistake: refuse it now rather than once the stream runs.
  if (args.after) decodeChangeCursor('NODE_STATUS_CHANGED', args.after);
  return changeStream({
    pubsub: ctx.deps.pubsub,
    topic: 'NODE_STATUS_CHANGED',
    schema: 'nodes',
    scope: organizationId,
    match: { organizationId, ...(nodeId === null ? {} : { nodeId }) },
    fork: ctx.deps.fork,
    stream: ctx.stream,
    after: args.after,
  });
}

/**
 * The node of an event, read afresh (the context lives as long as the subscription, so each
 * event gets a new EntityManager and loaders), showing the status this event announces even if
 * a later change is already stored.
 */
export async function nodeOf(ctx: NodesContext, event: NodeStatusChangedEvent): Promise<Node> {
  Object.assign(ctx, createNodesContext(ctx.deps, ctx));
  const node = await ctx.loaders.nodeById.load(event.nodeId);
  // Nodes are never deleted, and the event is published after its change committed.
  if (!node) throw new Error(`node ${event.nodeId} of a status event does not exist`);
  withStreamCursor(node, event.changeCursor);
  return Object.assign(node, {
    status: event.status,
    statusChangedAt: new Date(event.changedAt),
  });
}
