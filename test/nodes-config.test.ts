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

/** The variables named by the ConfigError `load` throws, sorted. */
function badVariables(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.split(':')[0]!).sort();
  }
  throw new Error('no ConfigError');
}

it('names each bad or missing variable', () => {
  expect(
    badVariables(() =>
      loadNodesConfig({
        ...required,
        JWT_PRIVATE_KEY: undefined,
        NODE_DEGRADED_DISK_PERCENT: '150',
        NODE_SWEEP_INTERVAL_MS: 'soon',
        REDIS_URL: 'redis://127.0.0.1:6379/abc',
      }),
    ),
  ).toEqual([
    'JWT_PRIVATE_KEY',
    'NODE_DEGRADED_DISK_PERCENT',
    'NODE_SWEEP_INTERVAL_MS',
    'REDIS_URL',
  ]);
});

it('refuses a signing key whose public half is not in JWT_PUBLIC_KEYS, with the other problems', () => {
  const other = generateSigningKey('other');
  const publishing = (key: object) => ({
    ...required,
    JWT_PUBLIC_KEYS: JSON.stringify({ keys: [key] }),
  });
  expect(
    badVariables(() =>
      loadNodesConfig({ ...publishing(publicJwkOf(other)), NODE_SWEEP_INTERVAL_MS: 'soon' }),
    ),
  ).toEqual(['JWT_PRIVATE_KEY', 'NODE_SWEEP_INTERVAL_MS']);
  // The right kid with other key material: every service would refuse the tokens as well.
  expect(() => loadNodesConfig(publishing({ ...publicJwkOf(other), kid: signingKey.kid }))).toThrow(
    'JWT_PRIVATE_KEY: its public half',
  );
});

it('takes any subgraph’s limit names in RATE_LIMITS, one value serving them all, and no other', () => {
  const config = loadNodesConfig({
    ...required,
    RATE_LIMITS: 'authenticateNode=10/1m,login=3/15m',
  });
  expect(config.rateLimits).toEqual({
    authenticateNode: { max: 10, windowMs: 60_000 },
    login: { max: 3, windowMs: 15 * 60_000 },
  });
  expect(() => loadNodesConfig({ ...required, RATE_LIMITS: 'logn=3/15m' })).toThrow(
    'RATE_LIMITS: no limit is named "logn"',
  );
});
