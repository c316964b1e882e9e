/**
 * A credential revoked while a request made with it is under way: the ADMIN operations (adding
 * users, changing roles, creating and revoking API keys) wait for the lock on the organization's
 * ADMINs, and one that got it only after the caller's API key was revoked, or its session ended,
 * must not take effect. Otherwise a leaked key, revoked by its owner, could still mint a key or
 * an ADMIN of its own that outlives the revocation (it did: a handful of the keys sent at the
 * moment of a revocation got through, each a live ADMIN key).
 *
 * The test holds that lock itself, on a connection of its own, to order the requests as a busy
 * organization would: the request made with the credential is authenticated, then waits; the
 * credential is revoked; then the lock is released.
 */
import { Client } from 'pg';
import {
  CreateApiKeyDocument,
  CreateUserDocument,
  LogoutDocument,
  RevokeApiKeyDocument,
  UpdateUserRoleDocument,
  UserIdsDocument,
} from './__generated__/graphql';
import { createApiKeyWithId } from './support/agent';
import { errorCodes, graphql, type GraphQLResponse } from './support/graphql';
import { addUser, PASSWORD, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;
/** Reads the database, outside any transaction (pg_stat_activity is read once per transaction). */
let db: Client;
/** Holds the lock on an organization's ADMINs, in a transaction of its own. */
let locker: Client;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users'] });
  url = stack.gatewayUrl;
  db = new Client({ connectionString: stack.database.url });
  locker = new Client({ connectionString: stack.database.url });
  await Promise.all([db.connect(), locker.connect()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([db?.end(), locker?.end()]);
  await stack?.stop();
});

/** Requests of the stack waiting for a lock (the locker never waits: it holds them). */
async function waitingForLocks(): Promise<number> {
  const { rows } = await db.query<{ waiting: number }>(
    `select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return rows[0]!.waiting;
}

async function untilWaiting(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await waitingForLocks()) < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} requests wait for the lock`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Holds the lock on `admin`'s organization's ADMINs (as an ADMIN operation under way does) while
 * `during` sends requests that queue behind it; releases it, then returns their answers.
 */
async function withAdminsLocked<T>(admin: SignedIn, during: () => Promise<T>): Promise<T> {
  await locker.query('begin');
  try {
    await locker.query(
      `select id from users.users where organization_id = $1 and role = 'ADMIN' for update`,
      [admin.user.organization.id],
    );
    return await during();
  } finally {
    await locker.query('commit');
  }
}

async function apiKeysOf(admin: SignedIn): Promise<number> {
  const { rows } = await db.query<{ keys: number }>(
    'select count(*)::int as keys from users.api_keys where organization_id = $1',
    [admin.user.organization.id],
  );
  return rows[0]!.keys;
}

async function userCount(admin: SignedIn): Promise<number> {
  const users = await graphql(url, UserIdsDocument, { first: 500 }, admin.headers);
  return users.data!.users.edges.length;
}

/** The ADMIN operations a credential could use to outlive its end, made with `credentials`. */
function adminOperations(credentials: Record<string, string>, target: SignedIn) {
  const username = unique('late');
  return [
    graphql(url, CreateApiKeyDocument, { input: { name: 'late', role: 'ADMIN' } }, credentials),
    graphql(
      url,
      CreateUserDocument,
      { input: { username, email: `${username}@example.com`, password: PASSWORD, role: 'ADMIN' } },
      credentials,
    ),
    graphql(url, UpdateUserRoleDocument, { id: target.user.id, role: 'ADMIN' }, credentials),
  ];
}

it('refuses what a revoked API key asked for before its revocation and got to after it', async () => {
  const admin = await signUp(url);
  const viewer = await addUser(url, admin, 'VIEWER');
  const key = await createApiKeyWithId(url, admin, 'ADMIN');

  const { revoked, late } = await withAdminsLocked(admin, async () => {
    // The revocation takes the lock first; the key's requests, authenticated by then, queue
    // behind it.
    const revoked = graphql(url, RevokeApiKeyDocument, { id: key.id }, admin.headers);
    await untilWaiting(1);
    const late = adminOperations({ 'x-api-key': key.secret }, viewer);
    await untilWaiting(4);
    return { revoked, late };
  });
  expect((await revoked).errors).toBeUndefined();
  const answers: GraphQLResponse<unknown>[] = await Promise.all(late);
  expect(answers.map((answer) => errorCodes(answer))).toEqual([
    ['UNAUTHENTICATED'],
    ['UNAUTHENTICATED'],
    ['UNAUTHENTICATED'],
  ]);
  expect(answers[0]!.errors![0]!.message).toBe('This API key has been revoked.');

  // Nothing took effect: the revoked key is the organization's only one, no user was added and
  // the VIEWER is one still.
  expect(await apiKeysOf(admin)).toBe(1);
  expect(await userCount(admin)).toBe(2);
  const roles = await db.query<{ role: string }>('select role from users.users where id = $1', [
    viewer.user.id,
  ]);
  expect(roles.rows[0]!.role).toBe('VIEWER');
});

it('refuses what a logged-out session asked for before the logout and got to after it', async () => {
  const admin = await signUp(url);
  const viewer = await addUser(url, admin, 'VIEWER');

  const late = await withAdminsLocked(admin, async () => {
    const late = adminOperations(admin.headers, viewer);
    await untilWaiting(3);
    // The session ends while they wait (logout takes no lock on the ADMINs).
    const out = await graphql(url, LogoutDocument, {}, admin.headers);
    expect(out.data).toEqual({ logout: true });
    return late;
  });
  const answers = await Promise.all(late);
  expect(answers.map((answer) => errorCodes(answer))).toEqual([
    ['UNAUTHENTICATED'],
    ['UNAUTHENTICATED'],
    ['UNAUTHENTICATED'],
  ]);
  expect(answers[0]!.errors![0]!.message).toBe('This session has ended; sign in again.');

  // None of it took effect.
  expect(await apiKeysOf(admin)).toBe(0);
  const { rows } = await db.query<{ users: number; viewers: number }>(
    `select count(*)::int as users, count(*) filter (where role = 'VIEWER')::int as viewers
       from users.users where organization_id = $1`,
    [admin.user.organization.id],
  );
  expect(rows[0]).toEqual({ users: 2, viewers: 1 });
});

it('still lets a key revoke itself, and a session act until it ends', async () => {
  const admin = await signUp(url);
  const key = await createApiKeyWithId(url, admin, 'ADMIN');
  const selfRevoked = await graphql(
    url,
    RevokeApiKeyDocument,
    { id: key.id },
    { 'x-api-key': key.secret },
  );
  expect(selfRevoked.errors).toBeUndefined();
  const minted = await graphql(
    url,
    CreateApiKeyDocument,
    { input: { name: 'fresh', role: 'VIEWER' } },
    admin.headers,
  );
  expect(minted.errors).toBeUndefined();
});
