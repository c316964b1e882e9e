/**
 * `node --import tsx test/faults/hold-private-servers.ts <postgres port> <redis port>`: starts the
 * fault suite's private PostgreSQL and Redis, says `ready` and holds them until a signal ends it —
 * the test process of cleanup.test.ts.
 */
import { startPostgres, startRedis } from './infra';

async function main() {
  const [postgresPort, redisPort] = process.argv.slice(2).map(Number);
  await startPostgres(postgresPort!);
  await startRedis(redisPort!);
  process.stdout.write('ready\n');
  setInterval(() => undefined, 60_000);
}

void main();
