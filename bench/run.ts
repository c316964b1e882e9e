/** `npm run bench -- <scenario>`: runs one benchmark and appends its results to docs/benchmarks.md. */
const scenarios: Record<string, string> = {
  distributed: './distributed',
  gateway: './gateway',
  'reconnect-storm': './reconnect-storm',
  restart: './restart',
  soak: './soak',
  sql: './sql',
  startup: './startup',
  subscriptions: './subscriptions',
  system: './system',
  'write-floor': './write-floor',
};

const name = process.argv[2];
if (!name || !scenarios[name]) {
  console.error(`Usage: npm run bench -- <${Object.keys(scenarios).join('|')}>`);
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(scenarios[name]);
