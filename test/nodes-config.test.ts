/** The nodes subgraph's environment: defaults, and every bad variable named at boot. */
import { ConfigError } from '../platform/env';
import { generateSigningKey, publicJwkOf } from '../platform/tokens';
import { loadNodesConfig, NODES_DEFAULTS } from '../subgraphs/nodes/env';

const signingKey = generateSigningKey('nodes-test');
const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/opsgraph',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_PRIVATE_KEY: JSON.stringify(signingKey),
  JWT_PUBLIC_KEYS: JSON.stringify({ keys: [publicJwkOf(signingKey)] }),
};

it('defaults the sweeper, thresholds and token lifetime', () => {
  const config = loadNodesConfig(required);
  expect(config).toMatchObject({ ...NODES_DEFAULTS, port: 4002, signingKey });
});

it('reads every setting from the environment', () => {
  const config = loadNodesConfig({
    ...required,
    NODE_TOKEN_TTL_SECONDS: '600',
    NODE_OFFLINE_AFTER_MS: '30000',
    NODE_SWEEP_INTERVAL_MS: '5000',
    NODE_DEGRADED_CPU_PERCENT: '80',
    NODE_DEGRADED_MEMORY_PERCENT: '85',
    NODE_DEGRADED_DISK_PERCENT: '75',
  });
  expect(config).toMatchObject({
    nodeTokenTtlSeconds: 600,
    offlineAfterMs: 30_000,
    sweepIntervalMs: 5000,
    degradedCpuPercent: 80,
    degradedMemoryPercent: 85,
    degradedDiskPercent: 75,
  });
});

it('names each bad or missing variable', () => {
  let error: unknown;
  try {
    loadNodesConfig({
      ...required,
      JWT_PRIVATE_KEY: undefined,
      NODE_DEGRADED_DISK_PERCENT: '150',
      NODE_SWEEP_INTERVAL_MS: 'soon',
      REDIS_URL: 'redis://127.0.0.1:6379/abc',
    });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.map((p) => p.split(':')[0]).sort();
  expect(problems).toEqual([
    'JWT_PRIVATE_KEY',
    'NODE_DEGRADED_DISK_PERCENT',
    'NODE_SWEEP_INTERVAL_MS',
    'REDIS_URL',
  ]);
});
