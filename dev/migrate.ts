/**
 * `npm run migrate`: applies every subgraph's pending migrations to DATABASE_URL (each subgraph
 * into its own schema). Subgraphs also migrate at start; this is for deploy pipelines that
 * migrate first.
 */
import { createLogger } from '../platform/logger';
import { createDatabase, migrate } from '../subgraphs/kit/orm';
import { loadMigrateConfig } from './env';
import { LOCAL_SUBGRAPHS } from './subgraphs';

async function main(): Promise<void> {
  const { DATABASE_URL, LOG_LEVEL } = loadMigrateConfig();
  const logger = createLogger({ name: 'migrate', level: LOG_LEVEL });
  for (const { name, entities, migrations } of LOCAL_SUBGRAPHS) {
    const database = await createDatabase({
      url: DATABASE_URL,
      schema: name,
      entities,
      migrations,
      poolSize: 1,
      logger,
    });
    try {
      await migrate(database);
      process.stdout.write(`${name}: migrations applied\n`);
    } finally {
      await database.close();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
