/**
 * Live node status: `nodeStatusChanged`, authorized like `node(id)` (one node) or `nodes` (the
 * whole organization) when it starts. Every event is filtered by organization, so another
 * organization's nodes are never delivered; a node never changes organization, so nothing else
 * can change per event.
 */
import { changesHead, subscribeToChanges } from '../../kit/change-subscription';
import { requireUser } from '../../kit/guards';
import { withStreamCursor } from '../../kit/resumable';
import { createNodesContext, type NodesContext } from '../context';
import type { Node } from '../entities/node';
import type { NodeStatusChangedEvent } from '../pubsub';
import { getNode } from './nodes-service';

/**
 * What a caller following `nodeId` (or the whole organization) may see: the organization's
 * stream, and the events of it that match. Shared by the subscription and its head, so both
 * are authorized alike.
 */
async function nodeStatusScope(ctx: NodesContext, args: { nodeId?: string | null }) {
  const nodeId = args.nodeId ?? null;
  const { organizationId } =
    nodeId === null ? requireUser(ctx.principal) : await getNode(ctx, nodeId);
  return { organizationId, match: { organizationId, ...(nodeId === null ? {} : { nodeId }) } };
}

export async function nodeStatusChanged(
  ctx: NodesContext,
  args: { nodeId?: string | null; after?: string | null },
): Promise<AsyncIterable<NodeStatusChangedEvent>> {
  const { organizationId, match } = await nodeStatusScope(ctx, args);
  return subscribeToChanges(ctx, {
    topic: 'NODE_STATUS_CHANGED',
    schema: 'nodes',
    scope: organizationId,
    match,
    after: args.after,
  });
}

/** `nodeStatusChanged`'s current head: `after` for a subscription that starts there. */
export async function nodeStatusChangedHead(
  ctx: NodesContext,
  args: { nodeId?: string | null },
): Promise<string> {
  const { organizationId } = await nodeStatusScope(ctx, args);
  return changesHead(ctx, { topic: 'NODE_STATUS_CHANGED', schema: 'nodes', scope: organizationId });
}

/**
 * The node of an event, read afresh (the context lives as long as the subscription, so each
 * event gets a new EntityManager and loaders), showing the status and heartbeat readings this
 * event recorded even if a later change or heartbeat is already stored: a replay shows what the
 * live event did. Changes stored before readings were recorded show the current ones.
 */
export async function nodeOf(ctx: NodesContext, event: NodeStatusChangedEvent): Promise<Node> {
  Object.assign(ctx, createNodesContext(ctx.deps, ctx));
  const node = await ctx.loaders.nodeById.load(event.nodeId);
  // Nodes are never deleted, and the event is published after its change committed.
  if (!node) throw new Error(`node ${event.nodeId} of a status event does not exist`);
  withStreamCursor(node, event.changeCursor);
  Object.assign(node, {
    status: event.status,
    statusChangedAt: new Date(event.changedAt),
  });
  // Recorded together, so absent together (changes stored before they were).
  if (event.lastHeartbeatAt === undefined) return node;
  return Object.assign(node, {
    lastHeartbeatAt: event.lastHeartbeatAt === null ? null : new Date(event.lastHeartbeatAt),
    cpuPercent: event.cpuPercent ?? null,
    memoryPercent: event.memoryPercent ?? null,
    diskPercent: event.diskPercent ?? null,
    agentVersion: event.agentVersion ?? null,
  });
}
