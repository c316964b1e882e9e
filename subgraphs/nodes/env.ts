/** The nodes subgraph's configuration, read from the environment once at start. */
import { intVar, parseEnv, type Environment } from '../../platform/env';
import {
  baseConfigFromEnv,
  subgraphEnvSchema,
  type SubgraphAuthConfig,
  type SubgraphBaseConfig,
} from '../kit/service-config';
import { privateKeyVar, signingKeyPublished, type PrivateJwk } from '../../platform/tokens';

export interface NodesSettings {
  /** Lifetime of the node tokens `authenticateNode` issues. */
  nodeTokenTtlSeconds: number;
  /** A heartbeating node silent for longer than this becomes OFFLINE. */
  offlineAfterMs: number;
  /**
   * How often the sweeper looks for silent nodes and announces unconfirmed retirements again (one
   * replica sweeps at a time).
   */
  sweepIntervalMs: number;
  /** A heartbeat with any metric at or above its threshold makes the node DEGRADED. */
  degradedCpuPercent: number;
  degradedMemoryPercent: number;
  degradedDiskPercent: number;
}

export interface NodesConfig extends SubgraphBaseConfig, SubgraphAuthConfig, NodesSettings {
  /** Signs node tokens (EdDSA); its public half must be among JWT_PUBLIC_KEYS. */
  signingKey: PrivateJwk;
}

/** Defaults shared by the environment schema and the local runner. */
export const NODES_DEFAULTS: NodesSettings = {
  nodeTokenTtlSeconds: 900,
  offlineAfterMs: 90_000,
  sweepIntervalMs: 15_000,
  degradedCpuPercent: 95,
  degradedMemoryPercent: 95,
  degradedDiskPercent: 90,
};

const percentVar = (defaultValue: number) => intVar(defaultValue, 1, 100);

const schema = subgraphEnvSchema({
  port: 4002,
  // The users subgraph where `npm start` runs it.
  apiKeyIntrospectionUrl: 'http://127.0.0.1:4001/auth/introspect',
})
  .extend({
    JWT_PRIVATE_KEY: privateKeyVar,
    NODE_TOKEN_TTL_SECONDS: intVar(NODES_DEFAULTS.nodeTokenTtlSeconds, 30, 86_400),
    NODE_OFFLINE_AFTER_MS: intVar(NODES_DEFAULTS.offlineAfterMs, 100),
    NODE_SWEEP_INTERVAL_MS: intVar(NODES_DEFAULTS.sweepIntervalMs, 50),
    NODE_DEGRADED_CPU_PERCENT: percentVar(NODES_DEFAULTS.degradedCpuPercent),
    NODE_DEGRADED_MEMORY_PERCENT: percentVar(NODES_DEFAULTS.degradedMemoryPercent),
    NODE_DEGRADED_DISK_PERCENT: percentVar(NODES_DEFAULTS.degradedDiskPercent),
  })
  .check(signingKeyPublished);

export function loadNodesConfig(source?: Environment): NodesConfig {
  const env = parseEnv(schema, source);
  return {
    ...baseConfigFromEnv(env),
    signingKey: env.JWT_PRIVATE_KEY,
    nodeTokenTtlSeconds: env.NODE_TOKEN_TTL_SECONDS,
    offlineAfterMs: env.NODE_OFFLINE_AFTER_MS,
    sweepIntervalMs: env.NODE_SWEEP_INTERVAL_MS,
    degradedCpuPercent: env.NODE_DEGRADED_CPU_PERCENT,
    degradedMemoryPercent: env.NODE_DEGRADED_MEMORY_PERCENT,
    degradedDiskPercent: env.NODE_DEGRADED_DISK_PERCENT,
  };
}
