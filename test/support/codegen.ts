/**
 * A client repository as README's "Generating a typed client" describes it, in a temporary
 * directory: the example operations, the README's `codegen.yml` (its schema line pointing where
 * the test says) and this repository's node_modules (a symlink stands in for `npm install`).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = join(__dirname, '..', '..');
const OPERATIONS = join(ROOT, 'examples', 'operations');

/** The client `codegen.yml` exactly as README's "Generating a typed client" shows it. */
export async function readmeCodegenConfig(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split('### Generating a typed client')[1];
  const config = section && /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!config) throw new Error('README: no yaml block under "Generating a typed client"');
  return config;
}

/** Makes the repository in a new directory (the caller removes it) and returns its path. */
export async function clientRepository(schema: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'opsgraph-client-'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await mkdir(join(dir, 'src', 'operations'), { recursive: true });
  for (const file of await readdir(OPERATIONS))
    await copyFile(join(OPERATIONS, file), join(dir, 'src', 'operations', file));
  const readmeConfig = await readmeCodegenConfig();
  const config = readmeConfig.replace(/^schema: .*$/m, `schema: ${schema}`);
  if (config === readmeConfig) throw new Error("README's codegen.yml has no schema line");
  await writeFile(join(dir, 'codegen.yml'), config);
  return dir;
}

/** Runs a tool of this repository's node_modules in `dir`, failing with its output. */
export async function tool(dir: string, script: string, args: string[]): Promise<void> {
  try {
    await run(process.execPath, [join(ROOT, 'node_modules', script), ...args], { cwd: dir });
  } catch (error: any) {
    throw new Error(`${script} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

/** `npx graphql-codegen` in the repository. */
export const generate = (dir: string) =>
  tool(dir, '@graphql-codegen/cli/cjs/bin.js', ['--config', 'codegen.yml']);

export const generated = (dir: string, file: string) =>
  readFile(join(dir, 'src', '__generated__', file), 'utf8');
