/**
 * Key rotation without signing anyone out (several verification keys at once, chosen by
 * `kid`), and credentials kept out of log lines.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../platform/logger';
import {
  createTokenSigner,
  createTokenVerifier,
  generateSigningKey,
  publicJwkOf,
} from '../platform/tokens';

const principal = {
  kind: 'user' as const,
  userId: '6d1c6a3e-0b7e-4d59-9a50-4d6d2c1b9a11',
  organizationId: '0f7c1c4a-2a6e-4b7b-8a53-3f0c5b7d8e22',
  role: 'ADMIN' as const,
  sessionId: '9a3b5c7d-1e2f-4a6b-8c9d-0e1f2a3b4c5d',
};

it('accepts tokens signed by any configured key, so keys rotate without signing anyone out', async () => {
  const previous = generateSigningKey('2026-10');
  const current = generateSigningKey('2026-11');
  const stranger = generateSigningKey('2026-11'); // same kid, different key: a forgery
  // During the rotation every service verifies with both public keys.
  const verifier = await createTokenVerifier([publicJwkOf(previous), publicJwkOf(current)]);
  for (const key of [previous, current]) {
    const { token } = await (await createTokenSigner(key)).sign(principal, 60);
    await expect(verifier.verify(token)).resolves.toMatchObject({
      principal: { userId: principal.userId },
    });
  }
  const { token: forged } = await (await createTokenSigner(stranger)).sign(principal, 60);
  await expect(verifier.verify(forged)).rejects.toThrow('Invalid token.');
  // Once the old key is dropped, its tokens stop working.
  const afterRotation = await createTokenVerifier([publicJwkOf(current)]);
  const { token: old } = await (await createTokenSigner(previous)).sign(principal, 60);
  await expect(afterRotation.verify(old)).rejects.toThrow();
});

it('never writes a credential into a log line', () => {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const logger = createLogger({ name: 'test', level: 'info' }, sink);
  logger.info(
    {
      req: { headers: { authorization: 'Bearer eyJ.secret.token', 'x-api-key': 'ogk_secretkey' } },
      input: { password: 'hunter2 hunter2', refreshToken: 'ogr_secret' },
      payload: { accessToken: 'eyJ.other.token', secret: 'ogk_shown_once' },
    },
    'request',
  );
  expect(output).toContain('"msg":"request"');
  for (const secret of [
    'eyJ.secret.token',
    'ogk_secretkey',
    'hunter2',
    'ogr_secret',
    'eyJ.other.token',
    'ogk_shown_once',
  ]) {
    expect(output).not.toContain(secret);
  }
  expect(output).toContain('[redacted]');
});
