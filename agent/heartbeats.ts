/**
 * Heartbeats: host metrics, the agent's version and the deployment it runs on an interval (the
 * first at once, so a new node turns ONLINE without waiting). After a failure the next try comes sooner, with backoff,
 * but never later than the regular interval.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../platform/logger';
import { backoffDelay } from './backoff';
import { hasCode } from './gateway-client';
import type { HostMetrics } from './metrics';
import type { NodeSession } from './node-session';

const HEARTBEAT = `
  mutation AgentHeartbeat($input: HeartbeatInput!) {
    heartbeat(input: $input) { id status }
  }`;

export interface Heartbeats {
  /** Stops sending (a heartbeat in flight is abandoned). */
  stop(): Promise<void>;
}

export function startHeartbeats(deps: {
  session: NodeSession;
  sampler: { sample(): Promise<HostMetrics> };
  intervalMs: number;
  version: string;
  /** The deployments being run, named in each heartbeat so their claims' leases are renewed. */
  running: () => string[];
  logger: Logger;
  /** The API refuses this node for good (e.g. it was decommissioned). */
  onRefused(error: Error): void;
}): Heartbeats {
  const { session, logger } = deps;
  const controller = new AbortController();
  const { signal } = controller;
  let status: string | null = null;

  const loop = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        const metrics = await deps.sampler.sample();
        const data = await session.request<{ heartbeat: { status: string } }>(
          HEARTBEAT,
          { input: { ...metrics, version: deps.version, deploymentIds: deps.running() } },
          signal,
        );
        failures = 0;
        if (data.heartbeat.status !== status) {
          status = data.heartbeat.status;
          logger.info({ status, ...metrics }, 'node status');
        } else {
          logger.debug(metrics, 'heartbeat');
        }
      } catch (error) {
        if (signal.aborted) break;
        if (hasCode(error, 'UNAUTHENTICATED')) {
          deps.onRefused(error);
          break;
        }
        failures++;
        logger.warn({ err: error, failures }, 'heartbeat failed');
      }
      const delayMs =
        failures === 0 ? deps.intervalMs : Math.min(deps.intervalMs, backoffDelay(failures - 1));
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  })();

  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
