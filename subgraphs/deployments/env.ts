/** The deployments subgraph's configuration, read from the environment once at start. */
import { z } from 'zod';
import { intVar, parseEnv, type Environment } from '../../platform/env';
import {
  baseConfigFromEnv,
  subgraphEnvSchema,
  type SubgraphAuthConfig,
  type SubgraphBaseConfig,
} from '../kit/service-config';

export interface DeploymentsSettings {
  /** The nodes subgraph's GraphQL endpoint, asked on the caller's behalf whether a node exists. */
  nodesUrl: string;
  /** How long deploymentStats stay cached (served only while no status has changed since). */
  statsCacheTtlSeconds: number;
  /**
   * How long a RUNNING deployment's claim lasts without a report or heartbeat from its agent;
   * then it is FAILED.
   */
  leaseMs: number;
  /** How often the lease sweeper looks for lapsed claims (one replica sweeps at a time). */
  leaseSweepIntervalMs: number;
}

export interface DeploymentsConfig
  extends SubgraphBaseConfig, SubgraphAuthConfig, DeploymentsSettings {}

/** Defaults shared by the environment schema and the local runner. */
export const DEPLOYMENTS_DEFAULTS: DeploymentsSettings = {
  nodesUrl: 'http://127.0.0.1:4002/graphql',
  statsCacheTtlSeconds: 300,
  // Six of the agent's 15 s heartbeats, as long as the nodes subgraph waits before it marks a
  // silent node OFFLINE: a deployment fails no sooner than its node is deemed gone.
  leaseMs: 90_000,
  leaseSweepIntervalMs: 15_000,
};

const schema = subgraphEnvSchema({
  port: 4004,
  // The users subgraph where `npm start` runs it.
  apiKeyIntrospectionUrl: 'http://127.0.0.1:4001/auth/introspect',
}).extend({
  NODES_URL: z.string().url().default(DEPLOYMENTS_DEFAULTS.nodesUrl),
  DEPLOYMENT_STATS_CACHE_TTL_SECONDS: intVar(DEPLOYMENTS_DEFAULTS.statsCacheTtlSeconds, 1, 86_400),
  DEPLOYMENT_LEASE_MS: intVar(DEPLOYMENTS_DEFAULTS.leaseMs, 100),
  DEPLOYMENT_LEASE_SWEEP_INTERVAL_MS: intVar(DEPLOYMENTS_DEFAULTS.leaseSweepIntervalMs, 50),
});

export function loadDeploymentsConfig(source?: Environment): DeploymentsConfig {
  const env = parseEnv(schema, source);
  return {
    ...baseConfigFromEnv(env),
    nodesUrl: env.NODES_URL,
    statsCacheTtlSeconds: env.DEPLOYMENT_STATS_CACHE_TTL_SECONDS,
    leaseMs: env.DEPLOYMENT_LEASE_MS,
    leaseSweepIntervalMs: env.DEPLOYMENT_LEASE_SWEEP_INTERVAL_MS,
  };
}
