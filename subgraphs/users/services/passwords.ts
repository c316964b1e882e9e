/**
 * Password hashing with argon2id (OWASP-recommended parameters are @node-rs/argon2's defaults).
 * A password is hashed and compared in Unicode NFC: the same text typed where accents come
 * precomposed (`é`) or decomposed (`e` + U+0301) is the same password.
 */
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // Algorithm.Argon2id; a const enum, which isolated modules cannot import.

export function hashPassword(password: string): Promise<string> {
  return hash(password.normalize('NFC'), { algorithm: ARGON2ID });
}

// Verified against when the user does not exist, so both failures take the same time.
const decoy = hashPassword('decoy password that matches nothing');

export async function verifyPassword(
  passwordHash: string | null,
  password: string,
): Promise<boolean> {
  const stored = passwordHash ?? (await decoy);
  const matches = (candidate: string) => verify(stored, candidate).catch(() => false);
  const normalized = password.normalize('NFC');
  // A password set before hashes were of the NFC form was hashed as it was sent.
  const matched =
    (await matches(normalized)) || (normalized !== password && (await matches(password)));
  return passwordHash !== null && matched;
}
