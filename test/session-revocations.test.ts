/**
 * A logout holds for the rest of its access tokens' lifetime, whatever happens to Redis, which
 * keeps the revocation list every service loads at start and keeps nothing across a restart: a
 * users subgraph started after Redis lost everything still refuses a logged-out session's
 * tokens, a Redis that restarts under a running users subgraph gets the revocations back, and so
 * does one that refused to record a logout. Redis is the test's own, so that it can
 * restart it and refuse commands (an ACL rule, to everyone).
 */
import { decodeJwt } from 'jose';
import { LogoutDocument, MeDocument } from './__generated__/graphql';
import { graphql } from './support/graphql';
import { retrying } from './support/private-services';
import { signUp, type SignedIn } from './support/seed';
import { startStackOnPrivateRedis, type StackOnPrivateRedis } from './support/stack';

let system: StackOnPrivateRedis;

beforeAll(async () => {
  system = await startStackOnPrivateRedis({
    subgraphs: ['users'],
    config: { users: { revocationResyncIntervalMs: 200 } },
  });
});
afterAll(() => system?.stop());

const me = async (session: SignedIn) => {
  const answer = await graphql(system.gateway.url, MeDocument, {}, session.headers);
  return answer.data?.me?.id ?? answer.errors?.[0]?.extensions?.code;
};
const logout = (session: SignedIn) =>
  graphql(system.gateway.url, LogoutDocument, {}, session.headers);

/** The session's revocation as the revocation list keeps it in Redis (null: not there). */
const revocationInRedis = (session: SignedIn) =>
  system.redis.command(
    'GET',
    `${system.stack.redisPrefix}revoked-session:${decodeJwt(session.accessToken).sid as string}`,
  );

async function restartUsers() {
  await system.stack.stopSubgraph('users');
  await system.stack.restartSubgraph('users');
}

it('refuses a logged-out session in a users subgraph started after Redis lost everything', async () => {
  const session = await signUp(system.gateway.url);
  expect((await logout(session)).data).toEqual({ logout: true });
  await system.redis.stop();
  await system.redis.start();
  await restartUsers();
  expect(await me(session)).toBe('UNAUTHENTICATED');
}, 60_000);

it('writes the revocations back to a Redis that restarted under a running users subgraph', async () => {
  const session = await signUp(system.gateway.url);
  expect((await logout(session)).data).toEqual({ logout: true });
  await system.redis.stop();
  await system.redis.start();
  await retrying(async () => expect(await revocationInRedis(session)).not.toBeNull());
}, 60_000);

it('holds a logout that Redis refused to record, once Redis takes writes again', async () => {
  const session = await signUp(system.gateway.url);
  // Revoked in the database: the session is over, whatever Redis says.
  await system.redis.refusing(['set'], async () => {
    expect((await logout(session)).data).toEqual({ logout: true });
    expect(await revocationInRedis(session)).toBeNull();
  });
  await retrying(async () => expect(await revocationInRedis(session)).not.toBeNull());
  await restartUsers();
  expect(await me(session)).toBe('UNAUTHENTICATED');
}, 60_000);
