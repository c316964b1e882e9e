/**
 * Heartbeats: node agents report metrics, which set the node ONLINE or DEGRADED, and name the
 * deployments they are running, whose claim leases the deployments subgraph then renews.
 */
import { LockMode } from '@mikro-orm/core';
import { unauthenticated } from '../../../platform/errors';
import { requireNode } from '../../kit/guards';
import { validate } from '../../kit/validation';
import type { NodesContext } from '../context';
import { Node, type NodeStatus } from '../entities/node';
import type { NodesSettings } from '../env';
import { publishStatusChanges, recordStatusChanges } from './status-events';
import { heartbeatRules } from './validation';

export interface Metrics {
  cpuPercent: number;
  memoryPercent: number;
  diskPercent: number;
}

/** DEGRADED as soon as one metric reaches its threshold. */
export function statusForMetrics(
  metrics: Metrics,
  thresholds: Pick<
    NodesSettings,
    'degradedCpuPercent' | 'degradedMemoryPercent' | 'degradedDiskPercent'
  >,
): NodeStatus {
  const degraded =
    metrics.cpuPercent >= thresholds.degradedCpuPercent ||
    metrics.memoryPercent >= thresholds.degradedMemoryPercent ||
    metrics.diskPercent >= thresholds.degradedDiskPercent;
  return degraded ? 'DEGRADED' : 'ONLINE';
}

export async function heartbeat(
  ctx: NodesContext,
  input: Metrics & { version?: string | null; deploymentIds?: readonly string[] | null },
): Promise<Node> {
  const { nodeId, organizationId } = requireNode(ctx.principal);
  const metrics: Metrics = {
    cpuPercent: validate(heartbeatRules.cpuPercent, input.cpuPercent, 'cpuPercent'),
    memoryPercent: validate(heartbeatRules.memoryPercent, input.memoryPercent, 'memoryPercent'),
    diskPercent: validate(heartbeatRules.diskPercent, input.diskPercent, 'diskPercent'),
  };
  const version =
    input.version == null ? null : validate(heartbeatRules.version, input.version, 'version');
  const deploymentIds =
    input.deploymentIds == null
      ? []
      : validate(heartbeatRules.deploymentIds, [...input.deploymentIds], 'deploymentIds');
  const status = statusForMetrics(metrics, ctx.deps.config);
  const { node, events, now } = await ctx.em.transactional(async (em) => {
    // Locked, so a concurrent decommission or sweep cannot interleave with this update.
    const node = await em.findOne(
      Node,
      { id: nodeId, organizationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    // A node token outlives a decommissioning by at most its lifetime; it stops working here.
    if (!node || node.status === 'DECOMMISSIONED') {
      throw unauthenticated('This node has been decommissioned.');
    }
    // Read once the row is held: a sweep that committed while this waited for it is then
    // earlier, and the node's history never goes back in time.
    const now = new Date();
    const previousStatus = node.status;
    Object.assign(node, metrics, { lastHeartbeatAt: now });
    if (version) node.agentVersion = version;
    if (status === previousStatus) return { node, events: [], now };
    node.status = status;
    node.statusChangedAt = now;
    return { node, events: await recordStatusChanges(em, [{ node, previousStatus }]), now };
  });
  await publishStatusChanges(ctx.deps.pubsub, ctx.logger, events);
  if (deploymentIds.length > 0) {
    // Renews those deployments' claim leases (the deployments subgraph listens). A failed
    // publication is logged: the next heartbeat renews them, well within a lease.
    await ctx.deps.pubsub
      .publish('NODE_HEARTBEAT', {
        nodeId,
        organizationId,
        deploymentIds,
        receivedAt: now.toISOString(),
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'heartbeat not announced'));
  }
  return node;
}
