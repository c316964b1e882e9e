/**
 * Telling the deployments subgraph that a node was decommissioned, so that it cancels the node's
 * QUEUED deployments and refuses new ones (docs/events.md, NODE_RETIRED) — reliably.
 *
 * Redis pub/sub delivers at most once: an announcement made while Redis is down, or while no
 * deployments replica listens, is lost, and the node's queue would wait for an agent it no
 * longer has. So the decommissioning transaction also stores the retirement in an outbox, where
 * it stays until the deployments subgraph, having committed the queue's retirement, confirms it
 * (NODE_RETIREMENT_CONFIRMED). Until then each sweep announces it again. Retiring a queue twice
 * changes nothing, so announcing twice is harmless.
 */
import type { Logger } from '../../../platform/logger';
import { isUuid } from '../../kit/ids';
import { publishEach } from '../../kit/pubsub';
import type { Database, EntityManager } from '../../kit/orm';
import type { Node } from '../entities/node';
import type { NodeRetiredEvent, NodesPubSub } from '../pubsub';

/** Unconfirmed retirements announced again per sweep; a backlog goes over several sweeps. */
const BATCH = 1000;

/** In the transaction that decommissions the node: its retirement, to announce once committed. */
export async function recordRetirement(em: EntityManager, node: Node): Promise<NodeRetiredEvent> {
  await em.execute(
    `insert into "nodes"."retirement_outbox"
       ("node_id", "organization_id", "decommissioned_at", "announced_at")
     values (?, ?, ?, ?)`,
    [node.id, node.organizationId, node.statusChangedAt, new Date()],
  );
  return {
    nodeId: node.id,
    organizationId: node.organizationId,
    decommissionedAt: node.statusChangedAt.toISOString(),
  };
}

/** Announces retirements; one not announced is announced again at the next sweep. */
export const announceRetirements = (
  pubsub: NodesPubSub,
  logger: Logger,
  events: NodeRetiredEvent[],
) => publishEach(pubsub, logger, 'NODE_RETIRED', events, 'node retirement not announced yet');

/**
 * Retirements still unconfirmed that were last announced before the given time, marked as
 * announced now. Rows another sweep holds are skipped: that sweep announces them.
 */
const DUE = `
  with due as (
    select "node_id" from "nodes"."retirement_outbox"
     where "announced_at" < ?
     order by "announced_at"
     limit ${BATCH}
     for update skip locked
  )
  update "nodes"."retirement_outbox" outbox set "announced_at" = ?
    from due where outbox."node_id" = due."node_id"
  returning outbox."node_id", outbox."organization_id", outbox."decommissioned_at"`;

/** Announces again the retirements still unconfirmed that were last announced before `before`. */
export async function reannounceRetirements(
  database: Database,
  pubsub: NodesPubSub,
  logger: Logger,
  before: Date,
): Promise<void> {
  const rows = await database
    .fork()
    .execute<{ node_id: string; organization_id: string; decommissioned_at: string }[]>(DUE, [
      before,
      new Date(),
    ]);
  await announceRetirements(
    pubsub,
    logger,
    rows.map((row) => ({
      nodeId: row.node_id,
      organizationId: row.organization_id,
      decommissionedAt: new Date(row.decommissioned_at).toISOString(),
    })),
  );
}

/** Takes confirmed retirements out of the outbox, in every replica. Resolves once listening. */
export function listenForRetirementConfirmations(
  database: Database,
  pubsub: NodesPubSub,
  logger: Logger,
): Promise<() => Promise<void>> {
  return pubsub.listen(
    'NODE_RETIREMENT_CONFIRMED',
    (event) => (isUuid(event.nodeId) ? event.nodeId : null),
    (nodeId) =>
      void database
        .fork()
        .execute(`delete from "nodes"."retirement_outbox" where "node_id" = ?`, [nodeId])
        // Left in the outbox, it is announced again and confirmed again.
        .catch((error: unknown) =>
          logger.warn({ err: error, nodeId }, 'could not clear a confirmed node retirement'),
        ),
  );
}
