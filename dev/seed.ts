/** `npm run seed`: creates the demo organization through a running gateway (idempotent). */
import { loadSeedConfig } from './env';
import { seedDemo } from './seed-demo';

async function main(): Promise<void> {
  const { GATEWAY_URL } = loadSeedConfig();
  const demo = await seedDemo(GATEWAY_URL);
  process.stdout.write(
    `Demo login: ${demo.username} / ${demo.password} (organization "${demo.organization}")\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
