/**
 * The nodes this subgraph has heard were decommissioned, and the lock that orders queueing a
 * deployment on a node against cancelling the node's queue.
 *
 * Asking the nodes subgraph before queueing is not enough on its own: a deployment checked just
 * before its node is decommissioned, and stored just after the node's queue was cancelled, would
 * wait QUEUED for an agent the node no longer has (its token still claims). So queueing takes the
 * node's lock shared and then looks here, and retiring the node takes the lock exclusively,
 * records the node and then cancels its queue: whichever commits second sees the other's work,
 * so the deployment is either cancelled with the queue or refused.
 */
import { conflict, unauthenticated } from '../../../platform/errors';
import type { EntityManager } from '../../kit/orm';

/** The first key of the node locks, which tells them apart from other advisory locks. */
const NODE_LOCKS = 0x64706c6e;

export const decommissioned = () =>
  conflict('This node is decommissioned: it takes no more deployments.', {
    nodeStatus: 'DECOMMISSIONED',
  });

/**
 * Locks the node until the transaction ends (shared with other queueing). Its own statement:
 * under READ COMMITTED only the statements after it see what a retirement committed meanwhile.
 */
async function lockNode(em: EntityManager, nodeId: string, mode: 'shared' | 'exclusive') {
  const lock = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await em.execute(`select ${lock}(${NODE_LOCKS}, hashtext(?))`, [nodeId]);
}

/** Whether the node was retired, once its lock is held (shared with other queueing). */
async function isRetired(em: EntityManager, nodeId: string): Promise<boolean> {
  await lockNode(em, nodeId, 'shared');
  const [retired] = await em.execute<unknown[]>(
    `select 1 from "deployments"."retired_nodes" where "node_id" = ?`,
    [nodeId],
  );
  return retired !== undefined;
}

/** In the transaction that queues a deployment on the node: CONFLICT if it was retired. */
export async function assertNodeNotRetired(em: EntityManager, nodeId: string): Promise<void> {
  if (await isRetired(em, nodeId)) throw decommissioned();
}

/**
 * In the transaction of a node agent's report, before it locks the deployment: a decommissioned
 * node's token (it outlives the decommissioning by at most its lifetime) reports nothing more,
 * as the nodes subgraph refuses its heartbeats, so its RUNNING deployments' leases lapse. The
 * lock orders a report that starts a QUEUED deployment against the cancellation of the queue.
 */
export async function assertReportingNodeNotRetired(
  em: EntityManager,
  nodeId: string,
): Promise<void> {
  if (await isRetired(em, nodeId)) throw unauthenticated('This node has been decommissioned.');
}

/** In the transaction that cancels the node's queue, before it reads the queue. */
export async function retireNode(
  em: EntityManager,
  node: { nodeId: string; organizationId: string },
): Promise<void> {
  await lockNode(em, node.nodeId, 'exclusive');
  await em.execute(
    `insert into "deployments"."retired_nodes" ("node_id", "organization_id") values (?, ?)
      on conflict do nothing`,
    [node.nodeId, node.organizationId],
  );
}
