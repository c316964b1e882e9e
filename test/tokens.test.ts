/**
 * Token verification, which every request at the gateway and every subgraph runs: only tokens
 * our signer produced, unaltered and unexpired, in their one canonical spelling.
 */
import { createPrivateKey, sign } from 'node:crypto';
import {
  createTokenSigner,
  createTokenVerifier,
  generateSigningKey,
  publicJwkOf,
  TokenError,
} from '../platform/tokens';
import type { Principal } from '../platform/principal';

const key = generateSigningKey('k1');
const principal: Principal = {
  kind: 'user',
  userId: 'u1',
  organizationId: 'o1',
  role: 'ADMIN',
  sessionId: 's1',
};
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed with `key` over whatever header and claims are given. */
function forge(header: unknown, claims: unknown, signingKey = key): string {
  const input = `${encode(header)}.${encode(claims)}`;
  const privateKey = createPrivateKey({ key: { ...signingKey }, format: 'jwk' });
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

async function refusal(token: string): Promise<TokenError> {
  const verifier = await createTokenVerifier([publicJwkOf(key)]);
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TokenError)) throw new Error(`accepted: ${token}`);
  return error;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  typ: 'access',
  org: 'o1',
  role: 'ADMIN',
  sid: 's1',
  iss: 'opsgraph',
  sub: 'u1',
  iat: now(),
  exp: now() + 60,
});

it('accepts what the signer issues, and again from memory', async () => {
  const { token } = await (await createTokenSigner(key)).sign(principal, 60);
  const verifier = await createTokenVerifier([publicJwkOf(key)]);
  for (let i = 0; i < 2; i++)
    expect((await verifier.verify(token)).principal).toMatchObject({
      userId: 'u1',
      sessionId: 's1',
    });
});

it('refuses altered, foreign, expired and oddly formed tokens', async () => {
  const { token } = await (await createTokenSigner(key)).sign(principal, 60);
  const [header, , signature] = token.split('.');
  // Claims swapped under the original signature.
  await refusal(`${header}.${encode({ ...claims(), role: 'ADMIN', sub: 'u2' })}.${signature}`);
  // The same signature bytes spelled differently (the last character's unused bits).
  const last = signature!.at(-1)!;
  const sibling = 'AQgw'.includes(last) ? String.fromCharCode(last.charCodeAt(0) + 1) : 'A';
  await refusal(`${token.slice(0, -1)}${sibling}`);
  await refusal(`${token}.`);
  await refusal('not-a-token');
  // Signed, but by another key, or with a header or claims our signer never writes.
  await refusal(forge({ alg: 'EdDSA', kid: 'k1' }, claims(), generateSigningKey('k1')));
  await refusal(forge({ alg: 'none', kid: 'k1' }, claims()));
  await refusal(forge({ alg: 'EdDSA', kid: 'k1', crit: ['exp'] }, claims()));
  await refusal(forge({ alg: 'EdDSA', kid: 'k2' }, claims()));
  await refusal(forge({ alg: 'EdDSA', kid: 'k1' }, { ...claims(), iss: 'elsewhere' }));
  await refusal(forge({ alg: 'EdDSA', kid: 'k1' }, { ...claims(), nbf: now() + 600 }));
  await refusal(forge({ alg: 'EdDSA', kid: 'k1' }, { ...claims(), typ: 'refresh' }));
  await refusal(forge({ alg: 'EdDSA', kid: 'k1' }, [claims()]));
  const expired = await refusal(
    forge({ alg: 'EdDSA', kid: 'k1' }, { ...claims(), exp: now() - 1 }),
  );
  expect(expired.expired).toBe(true);
});
