/** Password hashing with argon2id (OWASP-recommended parameters are @node-rs/argon2's defaults). */
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id; a const enum, which isolated modules cannot import.

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

// Verified against when the user does not exist, so both failures take the same time.
const decoy = hashPassword('decoy password that matches nothing');

export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  const matches = await verify(passwordHash ?? (await decoy), password).catch(() => false);
  return passwordHash !== null && matches;
}
