/** Settings of `npm start`, the zero-configuration local runner. All are optional. */
import { z } from 'zod';
import { intVar, logLevelVar, parseEnv } from '../subgraphs/kit/env';

const schema = z.object({
  /** Use this PostgreSQL instead of the embedded one. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Use this Redis instead of starting redis-server. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** Where the embedded PostgreSQL keeps its data and the local signing key is stored. */
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_POSTGRES_PORT: intVar(54329, 1, 65535),
  LOCAL_REDIS_PORT: intVar(63790, 1, 65535),
  PORT: intVar(4000, 1, 65535),
  LOG_LEVEL: logLevelVar.default('warn'),
});

export type LocalRunnerConfig = z.output<typeof schema>;

export const loadLocalRunnerConfig = (): LocalRunnerConfig => parseEnv(schema);
