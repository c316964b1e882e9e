/** Settings of `npm start`, the zero-configuration local runner. All are optional. */
import { z } from 'zod';
import { databaseUrlVar, intVar, logLevelVar, parseEnv, redisUrlVar } from '../platform/env';

const schema = z.object({
  /** Use this PostgreSQL instead of the embedded one. */
  DATABASE_URL: databaseUrlVar.optional(),
  /** Use this Redis instead of starting redis-server. */
  REDIS_URL: redisUrlVar.optional(),
  /** Where the embedded PostgreSQL keeps its data and the local signing key is stored. */
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: intVar(54329, 1, 65535),
  LOCAL_REDIS_PORT: intVar(63790, 1, 65535),
  PORT: intVar(4000, 1, 65535),
  LOG_LEVEL: logLevelVar.default('warn'),
});

export type LocalRunnerConfig = z.output<typeof schema>;

export const loadLocalRunnerConfig = (): LocalRunnerConfig => parseEnv(schema);

export const loadMigrateConfig = () =>
  parseEnv(
    z.object({
      DATABASE_URL: databaseUrlVar,
      LOG_LEVEL: logLevelVar,
    }),
  );

export const loadSeedConfig = () =>
  parseEnv(z.object({ GATEWAY_URL: z.string().url().default('http://127.0.0.1:4000/graphql') }));
