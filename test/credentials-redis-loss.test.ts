/**
 * Credentials refused once stay refused whatever Redis loses. Redis keeps the revocation list
 * that every service loads at start, and keeps nothing across a restart: a users subgraph started
 * after Redis lost everything still refuses a logged-out session's tokens, a Redis that restarts
 * under a running users subgraph gets the revocations back, and so does one that refused to
 * record a logout. And a node's sign-in signature, accepted once, is refused after a Redis
 * restart too. Redis is the test's own, so that it can restart it and refuse commands (an ACL
 * rule, to everyone).
 */
import { decodeJwt } from 'jose';
import { AuthenticateNodeDocument, LogoutDocument, MeDocument } from './__generated__/graphql';
import { graphql } from './support/graphql';
import { authenticateNode, registerNode, signedAuthInput } from './support/nodes';
import { retrying } from './support/private-services';
import { signUp, type SignedIn } from './support/seed';
import { startStackOnPrivateRedis, type StackOnPrivateRedis } from './support/stack';

let system: StackOnPrivateRedis;

beforeAll(async () => {
  system = await startStackOnPrivateRedis({
    subgraphs: ['users', 'nodes'],
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

it('refuses a node signature used before Redis lost everything, and any older one', async () => {
  const url = system.gateway.url;
  const node = await registerNode(url, await signUp(url));
  const older = signedAuthInput(node.keys, node.node.id, String(Date.now() - 1_000));
  const used = signedAuthInput(node.keys, node.node.id);
  const signIn = async (input: typeof used) =>
    (await graphql(url, AuthenticateNodeDocument, { input })).errors?.[0]?.extensions?.code ??
    'signed in';
  expect(await signIn(used)).toBe('signed in');
  await system.redis.stop();
  await system.redis.start();
  expect(await signIn(used)).toBe('UNAUTHENTICATED');
  expect(await signIn(older)).toBe('UNAUTHENTICATED');
  // The agent's next sign-in, with a fresh timestamp, goes through.
  await authenticateNode(url, node);
}, 60_000);
