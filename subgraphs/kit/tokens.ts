/**
 * Signed tokens (JWT, EdDSA/Ed25519 via jose). Only services that issue tokens hold the private
 * key; every service verifies with the public keys, so a compromised verifier cannot mint tokens.
 * Several public keys may be configured at once (selected by `kid`) so keys rotate without
 * signing anyone out.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { errors as joseErrors, importJWK, jwtVerify, SignJWT } from 'jose';
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

export async function createTokenVerifier(publicKeys: PublicJwk[]): Promise<TokenVerifier> {
  const keys = new Map<string, KeyObject>();
  for (const jwk of publicKeys) {
    keys.set(jwk.kid, createPublicKey({ key: { ...jwk }, format: 'jwk' }));
  }
  return {
    async verify(token) {
      let payload;
      try {
        ({ payload } = await jwtVerify(
          token,
          (header) => {
            const key = header.kid ? keys.get(header.kid) : undefined;
            if (!key) throw new TokenError('Token signed with an unknown key.');
            return key;
          },
          { issuer: ISSUER, algorithms: [ALGORITHM] },
        ));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw new TokenError('Token expired.', true);
        throw new TokenError('Invalid token.');
      }
      const { sub, org, typ, role, sid } = payload as Record<string, unknown>;
      if (typeof sub !== 'string' || typeof org !== 'string' || typeof payload.exp !== 'number') {
        throw new TokenError('Invalid token.');
      }
      if (typ === 'access' && isRole(role) && typeof sid === 'string') {
        return {
          principal: {
            kind: 'user',
            userId: sub,
            organizationId: org,
            role,
            sessionId: sid,
            expiresAt: payload.exp,
          },
          expiresAt: payload.exp,
        };
      }
      if (typ === 'node') {
        return {
          principal: { kind: 'node', nodeId: sub, organizationId: org, expiresAt: payload.exp },
          expiresAt: payload.exp,
        };
      }
      throw new TokenError('Invalid token.');
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
