// `node dev/build-if-stale.mjs dist/<script>.js [args…]`, behind `npm start`, `npm run agent`
// and the others: compiles the TypeScript only when a source or compiler setting is newer than
// the last build, so a warm start skips even loading the compiler (`tsc --build`'s own
// up-to-date check takes seconds on a busy machine; this, a few milliseconds), then runs the
// built script in this same process, with the arguments that follow it. One process: the
// signals npm forwards (a process manager's or an editor's SIGTERM) reach the script itself,
// where `a && b` put a shell between them that died and left the script running. Plain
// JavaScript: it runs before anything is compiled.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

const ROOTS = ['agent', 'gateway', 'platform', 'subgraphs', 'dev', 'bench'];
const SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const BUILD_INFO = join('dist', '.tsbuildinfo');

function newestSource() {
  let newest = Math.max(...SETTINGS.map((file) => statSync(file).mtimeMs));
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  ROOTS.forEach(walk);
  return newest;
}

let built = 0;
try {
  built = statSync(BUILD_INFO).mtimeMs;
} catch {
  // Never built.
}
if (built < newestSource()) {
  process.stdout.write('Compiling TypeScript…\n');
  const tsc = spawnSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '--build', 'tsconfig.build.json'],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // tsc leaves the build info alone when no output changed; mark this check as done.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}

const [script] = process.argv.splice(2, 1);
if (!script) {
  process.stderr.write('usage: node dev/build-if-stale.mjs dist/<script>.js [args…]\n');
  process.exit(2);
}
// The script reads its own arguments from process.argv.slice(2), as if started directly.
process.argv[1] = resolve(script);
await import(pathToFileURL(process.argv[1]).href);
