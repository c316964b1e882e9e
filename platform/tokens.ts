/**
 * Signed tokens (JWT, EdDSA/Ed25519; signed with jose, verified with node:crypto). Only services
 * that issue tokens hold the private key; every service verifies with the public keys, so a
 * compromised verifier cannot mint tokens.
 * Several public keys may be configured at once (selected by `kid`) so keys rotate without
 * signing anyone out.
 */
import {
  createPublicKey,
  generateKeyPairSync,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { z } from 'zod';
import { isRole, type Principal } from './principal';

const ISSUER = 'opsgraph';
const ALGORITHM = 'EdDSA';

const privateJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string(),
  d: z.string(),
  kid: z.string().min(1),
});
const publicJwkSchema = privateJwkSchema.omit({ d: true });

/** Parses JWT_PRIVATE_KEY: one Ed25519 private JWK with a `kid`. */
export const privateKeyVar = z.string().transform((text, ctx) => {
  try {
    return privateJwkSchema.parse(JSON.parse(text));
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an Ed25519 private JWK (JSON) with a "kid"' });
    return z.NEVER;
  }
});

/** Parses JWT_PUBLIC_KEYS: a JWK set `{"keys":[…]}` of Ed25519 public keys, each with a `kid`. */
export const publicKeysVar = z.string().transform((text, ctx) => {
  try {
    const parsed = JSON.parse(text) as { keys?: unknown };
    const keys = z.array(publicJwkSchema).min(1).parse(parsed.keys);
    return keys;
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a JWK set {"keys":[…]} of Ed25519 public keys with "kid"s',
    });
    return z.NEVER;
  }
});

export type PrivateJwk = z.output<typeof privateJwkSchema>;
export type PublicJwk = z.output<typeof publicJwkSchema>;

const SIGNING_VARIABLES: PropertyKey[] = ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEYS'];

/**
 * For the environment schema of a service that signs tokens (`.check(signingKeyPublished)`):
 * refuses a JWT_PRIVATE_KEY whose public half is not among JWT_PUBLIC_KEYS, since every service
 * would refuse the tokens it signs.
 */
export const signingKeyPublished = z.refine<{
  JWT_PRIVATE_KEY: PrivateJwk;
  JWT_PUBLIC_KEYS: PublicJwk[];
}>(
  ({ JWT_PRIVATE_KEY: signing, JWT_PUBLIC_KEYS: published }) =>
    published.some(({ kid, x }) => kid === signing.kid && x === signing.x),
  {
    path: ['JWT_PRIVATE_KEY'],
    message: 'its public half (the same "kid" and "x") must be in JWT_PUBLIC_KEYS',
    // Checked even when other variables are bad, so that one message names every problem.
    when: ({ issues }) => !issues.some(({ path }) => SIGNING_VARIABLES.includes(path?.[0] ?? '')),
  },
);

export class TokenError extends Error {
  constructor(
    message: string,
    readonly expired = false,
  ) {
    super(message);
  }
}

export interface TokenVerifier {
  /** Returns the principal, or throws TokenError for a malformed, forged or expired token. */
  verify(token: string): Promise<{ principal: Principal; expiresAt: number }>;
}

/** Verified tokens remembered per verifier: clients send the same token many times. */
const REMEMBERED_TOKENS = 10_000;
/** An Ed25519 signature, base64url without padding. */
const SIGNATURE = /^[\w-]{86}$/;

const decodeJson = (segment: string): unknown =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

export async function createTokenVerifier(publicKeys: PublicJwk[]): Promise<TokenVerifier> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of publicKeys) {
    keys.set(jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' }));
  }
  const remembered = new Map<string, { principal: Principal; expiresAt: number }>();

  /**
   * The claims of a compact JWS signed by one of our keys. Done with node:crypto rather than
   * jose: this runs on every request, and the signature check is all of its cost that must stay.
   * Only the exact form our signer produces is accepted (alg, kid, no crit or b64, canonical
   * signature), so no token has a second spelling that would count as a different credential.
   */
  const signedClaims = (token: string): Record<string, unknown> => {
    const [header, payload, signature, extra] = token.split('.');
    if (!header || !payload || !signature || extra !== undefined || !SIGNATURE.test(signature))
      throw new TokenError('Invalid token.');
    let protectedHeader: Record<string, unknown>;
    let claims: unknown;
    try {
      protectedHeader = decodeJson(header) as Record<string, unknown>;
      claims = decodeJson(payload);
    } catch {
      throw new TokenError('Invalid token.');
    }
    const key = typeof protectedHeader?.kid === 'string' && keys.get(protectedHeader.kid);
    const bytes = Buffer.from(signature, 'base64url');
    if (
      !key ||
      protectedHeader.alg !== ALGORITHM ||
      'crit' in protectedHeader ||
      'b64' in protectedHeader ||
      bytes.toString('base64url') !== signature ||
      !verifySignature(null, Buffer.from(`${header}.${payload}`), key, bytes) ||
      typeof claims !== 'object' ||
      claims === null ||
      Array.isArray(claims)
    )
      throw new TokenError('Invalid token.');
    return claims as Record<string, unknown>;
  };

  return {
    async verify(token) {
      const now = Math.floor(Date.now() / 1000);
      const known = remembered.get(token);
      if (known) {
        if (known.expiresAt > now) return known;
        remembered.delete(token);
        throw new TokenError('Token expired.', true);
      }
      const { sub, org, typ, role, sid, iss, exp, nbf } = signedClaims(token);
      if (iss !== ISSUER || typeof sub !== 'string' || typeof org !== 'string')
        throw new TokenError('Invalid token.');
      if (typeof exp !== 'number') throw new TokenError('Invalid token.');
      if (exp <= now) throw new TokenError('Token expired.', true);
      if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now))
        throw new TokenError('Invalid token.');
      let principal: Principal;
      if (typ === 'access' && isRole(role) && typeof sid === 'string') {
        principal = {
          kind: 'user',
          userId: sub,
          organizationId: org,
          role,
          sessionId: sid,
          expiresAt: exp,
        };
      } else if (typ === 'node') {
        principal = { kind: 'node', nodeId: sub, organizationId: org, expiresAt: exp };
      } else {
        throw new TokenError('Invalid token.');
      }
      const verified = { principal, expiresAt: exp };
      if (remembered.size >= REMEMBERED_TOKENS) remembered.delete(remembered.keys().next().value!);
      remembered.set(token, verified);
      return verified;
    },
  };
}

export interface TokenSigner {
  sign(principal: Principal, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }>;
}

export async function createTokenSigner(privateKey: PrivateJwk): Promise<TokenSigner> {
  const key = await importJWK(privateKey, ALGORITHM);
  return {
    async sign(principal, ttlSeconds) {
      const issuedAt = Math.floor(Date.now() / 1000);
      const expiresAt = issuedAt + ttlSeconds;
      const claims =
        principal.kind === 'user'
          ? {
              typ: 'access',
              org: principal.organizationId,
              role: principal.role,
              sid: principal.sessionId,
            }
          : { typ: 'node', org: principal.organizationId };
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: ALGORITHM, kid: privateKey.kid })
        .setIssuer(ISSUER)
        .setSubject(principal.kind === 'user' ? principal.userId : principal.nodeId)
        .setIssuedAt(issuedAt)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },
  };
}

/** The public half of a private JWK, for JWT_PUBLIC_KEYS. */
export function publicJwkOf(privateKey: PrivateJwk): PublicJwk {
  return { kty: privateKey.kty, crv: privateKey.crv, x: privateKey.x, kid: privateKey.kid };
}

/** A fresh Ed25519 signing key, e.g. for local development or tests. */
export function generateSigningKey(kid: string): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateJwkSchema.parse({ ...privateKey.export({ format: 'jwk' }), kid });
}
