/** Registering, reading and decommissioning nodes, always within the caller's organization. */
import { LockMode } from '@mikro-orm/core';
import { badUserInput, conflict, notFound, unauthenticated } from '../../../platform/errors';
import { requireRole, requireUser } from '../../kit/guards';
import { isUuid } from '../../kit/ids';
import { isUniqueViolation, type EntityManager } from '../../kit/orm';
import { cursorScope, pageInCreationOrder, type Connection } from '../../kit/pagination';
import type { Principal } from '../../../platform/principal';
import { validate } from '../../kit/validation';
import { findRows } from '../../kit/reads';
import type { NodesContext } from '../context';
import { Node, type NodeKind, type NodeStatus } from '../entities/node';
import { parsePublicKey } from './node-keys';
import { announceRetirements, recordRetirement } from './retirements';
import { publishStatusChanges, recordStatusChanges } from './status-events';
import { labelsRule, nodeNameRule, regionRule } from './validation';

/** A user sees their organization's nodes; a node agent sees only its own node. */
function isVisibleTo(principal: Principal | null, node: Node): boolean {
  if (principal?.organizationId !== node.organizationId) return false;
  return principal.kind === 'user' || principal.nodeId === node.id;
}

/** The node if the caller may see it, else null: other organizations' nodes do not exist for them. */
export async function findVisibleNode(ctx: NodesContext, id: string): Promise<Node | null> {
  const node = await ctx.loaders.nodeById.load(id);
  return node && isVisibleTo(ctx.principal, node) ? node : null;
}

export async function getNode(ctx: NodesContext, id: string): Promise<Node> {
  if (!ctx.principal) throw unauthenticated();
  const node = await findVisibleNode(ctx, id);
  if (!node) throw notFound('Node');
  return node;
}

export interface NodeFilter {
  status?: NodeStatus | null;
  kind?: NodeKind | null;
  region?: string | null;
}

export async function listNodes(
  ctx: NodesContext,
  args: { filter?: NodeFilter | null; first?: number | null; after?: string | null },
): Promise<Connection<Node>> {
  const { organizationId } = requireUser(ctx.principal);
  const where: Record<string, unknown> = { organizationId };
  const { status, kind, region } = args.filter ?? {};
  if (status) where.status = status;
  if (kind) where.kind = kind;
  if (region != null) where.region = region;
  // Scoped to the organization's list, whatever its filter (one order for all).
  return pageInCreationOrder(
    args,
    where,
    (bounded, options) => findRows(ctx, Node, bounded, options),
    cursorScope('nodes', organizationId),
  );
}

export async function registerNode(
  ctx: NodesContext,
  input: {
    name: string;
    kind: NodeKind;
    region: string;
    labels?: string[] | null;
    publicKey: string;
  },
): Promise<Node> {
  const operator = requireRole(ctx.principal, 'OPERATOR');
  const name = validate(nodeNameRule, input.name, 'name');
  const region = validate(regionRule, input.region, 'region');
  const labels = validate(labelsRule, input.labels ?? [], 'labels');
  const publicKey = parsePublicKey(input.publicKey)?.canonical;
  if (!publicKey) {
    throw badUserInput(
      'publicKey must be an Ed25519 public key: base64 of its raw 32 bytes.',
      'publicKey',
    );
  }
  const node = new Node(
    operator.organizationId,
    operator.userId,
    name,
    input.kind,
    region,
    labels,
    publicKey,
  );
  await assertAvailable(ctx.em, node);
  let events;
  try {
    events = await ctx.em.transactional((em) => {
      em.persist(node);
      return recordStatusChanges(em, [{ node, previousStatus: null }]);
    });
  } catch (error) {
    // Lost a race with a concurrent registration: report it like the check above would have.
    if (isUniqueViolation(error)) await assertAvailable(ctx.em, node);
    throw error;
  }
  await publishStatusChanges(ctx.deps.pubsub, ctx.logger, events);
  return node;
}

/** Live nodes of an organization have distinct names and keys; decommissioned ones free theirs. */
async function assertAvailable(em: EntityManager, node: Node): Promise<void> {
  const rows = await em.execute<{ id: string; public_key: string }[]>(
    `select id, public_key from nodes.nodes
      where organization_id = ? and status <> 'DECOMMISSIONED'
        and (lower(name) = lower(?) or public_key = ?)
      limit 2`,
    [node.organizationId, node.name, node.publicKey],
  );
  const sameKey = rows.find((row) => row.public_key === node.publicKey);
  if (sameKey) {
    throw conflict('A node with this public key is already registered.', { nodeId: sameKey.id });
  }
  if (rows.length > 0) throw badUserInput('A node with this name is already registered.', 'name');
}

export async function decommissionNode(ctx: NodesContext, id: string): Promise<Node> {
  const { organizationId } = requireRole(ctx.principal, 'OPERATOR');
  if (!isUuid(id)) throw notFound('Node');
  const { node, events, retirement } = await ctx.em.transactional(async (em) => {
    // Locked, so a concurrent heartbeat cannot bring the node back ONLINE meanwhile.
    const node = await em.findOne(
      Node,
      { id, organizationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!node) throw notFound('Node');
    if (node.status === 'DECOMMISSIONED') throw conflict('This node is already decommissioned.');
    const previousStatus = node.status;
    node.status = 'DECOMMISSIONED';
    node.statusChangedAt = new Date();
    const events = await recordStatusChanges(em, [{ node, previousStatus }]);
    return { node, events, retirement: await recordRetirement(em, node) };
  });
  await publishStatusChanges(ctx.deps.pubsub, ctx.logger, events);
  await announceRetirements(ctx.deps.pubsub, ctx.logger, [retirement]);
  return node;
}
