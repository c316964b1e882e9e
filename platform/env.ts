/**
 * Configuration helpers. Every process parses its environment exactly once, at start, with a zod
 * schema; all problems are reported together, each naming its variable.
 */
import { z } from 'zod';
import { DEFAULT_CONCURRENT_REQUESTS } from './admission';
import { parseRedisUrl } from './redis-target';
import { trustedProxies } from './trusted-proxies';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = Record<string, string | undefined>;

/**
 * Runs one step of reading a configuration checked in several. A step that finds bad variables
 * adds them to `problems` and yields undefined, and the next steps still run, so that the caller
 * throws one ConfigError naming every bad variable.
 */
export function collectProblems<T>(problems: string[], step: () => T): T | undefined {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    return undefined;
  }
}

export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Environment = process.env,
): z.output<S> {
  // Empty strings mean "unset", as they do in most container orchestrators' env blocks.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`,
    ),
  );
}

/** Integer with bounds, given as a decimal string. */
export const intVar = (defaultValue: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(defaultValue);

export const booleanVar = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .prefault(defaultValue ? 'true' : 'false');

export const databaseUrlVar = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');
/** One Redis, a Redis Cluster or a Sentinel-managed primary (kit/redis-target.ts). */
export const redisUrlVar = z.string().superRefine((url, ctx) => {
  try {
    if (parseRedisUrl(url).kind === 'memory') throw new Error('must be a redis:// URL');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const nodeEnvVar = z.enum(['development', 'production', 'test']).default('development');

export const logLevelVar = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

/** Comma-separated values, trimmed, empty ones dropped; unset for none. */
export const commaListVar = z
  .string()
  .default('')
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** Comma-separated list of exact values, e.g. CORS_ORIGINS. */
export const addressListVar = commaListVar.transform(
  (items) => new Set(items) as ReadonlySet<string>,
);

/** Comma-separated addresses and CIDR ranges, e.g. TRUSTED_PROXIES=10.0.0.1,10.244.0.0/16. */
export const trustedProxiesVar = commaListVar.transform((items, ctx) => {
  try {
    return trustedProxies(items);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Comma-separated postgres:// URLs, e.g. DATABASE_REPLICA_URLS. */
export const databaseUrlListVar = commaListVar.pipe(z.array(databaseUrlVar));

/** Variables every subgraph reads. */
export const subgraphEnvShape = {
  NODE_ENV: nodeEnvVar,
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: databaseUrlVar,
  // Connections per process. A request holds one only while its few batched statements run
  // (a millisecond or two each), and one JavaScript thread can only keep so many in flight: at
  // 2,000 statements per second, ~2 ms each, four are busy on average (Little's law), and ten
  // leave room for bursts and for transactions (claims, reports) that hold theirs longer. More
  // would not speed the process up but would multiply across subgraphs and replicas against
  // PostgreSQL's max_connections (100 by default: 4 subgraphs × 2 replicas × 10 = 80). Scale
  // with replicas, behind PgBouncer once they multiply (docs/operations.md).
  DATABASE_POOL_SIZE: intVar(10, 1, 200),
  // Streaming replicas of DATABASE_URL that serve queries' reads (kit/read-routing.ts); each
  // gets a pool of DATABASE_POOL_SIZE connections per process.
  DATABASE_REPLICA_URLS: databaseUrlListVar,
  REDIS_URL: redisUrlVar,
  REDIS_PREFIX: z.string().default('opsgraph:'),
  LOG_LEVEL: logLevelVar,
  MAX_BODY_BYTES: intVar(1_000_000, 1_000),
  // GraphQL requests over HTTP a process works on at once; the rest wait in line (subscriptions,
  // health and metrics do not count). A request spends most of its time on the one JavaScript
  // thread and a millisecond or two waiting on PostgreSQL, so a few in flight keep the thread
  // busy; dozens interleaved cost more CPU per request and delay every answer
  // (platform/admission.ts). Below DATABASE_POOL_SIZE, so that no admitted request waits for a
  // connection.
  MAX_CONCURRENT_REQUESTS: intVar(DEFAULT_CONCURRENT_REQUESTS, 1, 1_000),
  TRUSTED_PROXIES: trustedProxiesVar,
  // How long a resumable subscription stays without a live event before it checks the database
  // for items whose announcement was lost (one indexed read per idle subscription per interval).
  STREAM_POLL_INTERVAL_MS: intVar(1500, 100, 60_000),
  // How long the change records behind resumable change streams are kept (a week by default):
  // a client away for longer gets CURSOR_EXPIRED and reloads its view (kit/change-log.ts).
  CHANGE_RETENTION_HOURS: intVar(168, 1, 87_600),
};

/** OpenTelemetry export: on when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard variables). */
export function loadTracingConfig(defaultServiceName: string, source: Environment = process.env) {
  const env = parseEnv(
    z.object({
      OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
      OTEL_SERVICE_NAME: z.string().default(`opsgraph-${defaultServiceName}`),
    }),
    source,
  );
  return env.OTEL_EXPORTER_OTLP_ENDPOINT
    ? { endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME }
    : null;
}
