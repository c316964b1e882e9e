/** Ed25519 public keys as nodes present them: base64 of the raw 32 bytes. */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const RAW_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string): Buffer | null {
  const trimmed = text.trim();
  // Buffer.from silently skips characters that are not base64; refuse them instead.
  return BASE64.test(trimmed) && trimmed.length % 4 === 0 ? Buffer.from(trimmed, 'base64') : null;
}

/**
 * The key object of a base64 raw Ed25519 public key, with its canonical base64 spelling (so equal
 * keys compare equal), or null when it is not one.
 */
export function parsePublicKey(base64: string): { key: KeyObject; canonical: string } | null {
  const raw = decodeBase64(base64);
  if (raw?.length !== RAW_KEY_BYTES) return null;
  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    return { key, canonical: raw.toString('base64') };
  } catch {
    return null;
  }
}

/** True when `signature` (base64) is `key`'s Ed25519 signature of `message`. */
export function verifySignature(key: KeyObject, message: string, signature: string): boolean {
  const raw = decodeBase64(signature);
  if (raw?.length !== SIGNATURE_BYTES) return false;
  try {
    return verify(null, Buffer.from(message, 'utf8'), key, raw);
  } catch {
    return false;
  }
}
