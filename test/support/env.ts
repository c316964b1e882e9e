/** Where the tests find PostgreSQL and Redis (defaults: the local services CI starts). */
export const ADMIN_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Set TEST_LOG_LEVEL=debug to see the services' logs while debugging a test. */
export const LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
