/**
 * What the agent keeps between runs, in its state directory: its Ed25519 key (generated once,
 * the private half readable by its owner only) and its node registration.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../platform/logger';
import { AgentFatalError } from './errors';

const KEY_FILE = 'node-key.pem';
const REGISTRATION_FILE = 'registration.json';

export interface NodeKey {
  /** Base64 of the raw 32-byte public key, as registerNode expects it. */
  publicKey: string;
  /** Base64 Ed25519 signature of the UTF-8 `message`. */
  sign(message: string): string;
}

const registrationSchema = z.object({
  nodeId: z.string().min(1),
  gateway: z.string(),
  name: z.string(),
  registeredAt: z.string(),
});
export type Registration = z.infer<typeof registrationSchema>;

/**
 * Writes through a temporary file, so a crash never leaves a half-written file behind. The file
 * is flushed to disk before the rename, and the directory after it: without both, a power loss
 * can leave the new name pointing at an empty file, or the old file back.
 */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w', mode);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** A registration file that exists but cannot be used (empty, cut short, or foreign). */
export class UnreadableRegistrationError extends Error {
  override name = 'UnreadableRegistrationError';
}

const isMissing = (error: unknown) => (error as { code?: unknown }).code === 'ENOENT';

/**
 * What stops the agent for a failure of the file system in the state directory (not writable,
 * not a directory, full): a message naming the directory, rather than a stack trace. Any other
 * error is returned as it is.
 */
function unusableStateDir(stateDir: string, error: unknown): unknown {
  if (typeof (error as { code?: unknown } | null)?.code !== 'string') return error;
  return new AgentFatalError(
    `The state directory ${stateDir} cannot be used: ${(error as Error).message}. Check --state-dir and its permissions.`,
  );
}

/** Runs `operation`, file work in the state directory (see unusableStateDir). */
async function inStateDir<T>(stateDir: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw unusableStateDir(stateDir, error);
  }
}

export async function loadOrCreateKey(stateDir: string, logger: Logger): Promise<NodeKey> {
  const path = join(stateDir, KEY_FILE);
  const pem = await inStateDir(stateDir, async () => {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    try {
      const saved = await readFile(path, 'utf8');
      if (((await stat(path)).mode & 0o077) !== 0) {
        // A key others can read is a key others can authenticate with.
        await chmod(path, 0o600);
        logger.warn({ path }, 'the node key was readable by others; restricted it to its owner');
      }
      return saved;
    } catch (error) {
      if (!isMissing(error)) throw error;
      const { privateKey } = generateKeyPairSync('ed25519');
      const generated = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      await writeAtomically(path, generated, 0o600);
      logger.info({ path }, 'generated a new Ed25519 node key');
      return generated;
    }
  });
  // The node's identity: one that cannot be read is not replaced behind the operator's back.
  const unusableKey = () =>
    new AgentFatalError(
      `${path} does not hold an Ed25519 private key (PEM): restore the node's key, or remove the file to register a new node.`,
    );
  let privateKey;
  let x;
  try {
    privateKey = createPrivateKey(pem);
    ({ x } = createPublicKey(privateKey).export({ format: 'jwk' }));
  } catch {
    throw unusableKey();
  }
  if (privateKey.asymmetricKeyType !== 'ed25519' || !x) throw unusableKey();
  return {
    publicKey: Buffer.from(x, 'base64url').toString('base64'),
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64'),
  };
}

export async function readRegistration(stateDir: string): Promise<Registration | null> {
  const path = join(stateDir, REGISTRATION_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return null;
    throw unusableStateDir(stateDir, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UnreadableRegistrationError(
      `${path} is ${text.trim() === '' ? 'empty' : 'not valid JSON'} (a crash may have cut it short).`,
    );
  }
  const parsed = registrationSchema.safeParse(json);
  if (!parsed.success) {
    throw new UnreadableRegistrationError(`${path} is not a registration written by this agent.`);
  }
  return parsed.data;
}

export async function saveRegistration(
  stateDir: string,
  registration: Registration,
): Promise<void> {
  await inStateDir(stateDir, () =>
    writeAtomically(
      join(stateDir, REGISTRATION_FILE),
      `${JSON.stringify(registration, null, 2)}\n`,
      0o600,
    ),
  );
}
