/**
 * `node --import tsx test/support/hold-private-servers.ts`: starts a private PostgreSQL and Redis
 * of each kind the tests use (private-services.ts's, and the fault suite's), prints their ports
 * as one JSON line and holds them until a signal ends it — the test process of
 * private-services-cleanup.test.ts.
 */
import { freePort } from './processes';
import { privatePostgres, privateRedis } from './private-services';
import { startPostgres, startRedis } from '../faults/infra';

async function main() {
  const postgres = await privatePostgres();
  await postgres.start();
  const redis = await privateRedis();
  await redis.start();
  const [faultPostgresPort, faultRedisPort] = [await freePort(), await freePort()];
  await startPostgres(faultPostgresPort);
  await startRedis(faultRedisPort);
  process.stdout.write(
    `${JSON.stringify([postgres.port, redis.port, faultPostgresPort, faultRedisPort])}\n`,
  );
  setInterval(() => undefined, 60_000);
}

void main();
