/**
 * The users subgraph end to end through the gateway: sign-up, login, sessions, API keys and
 * organization isolation, on real PostgreSQL and Redis.
 */
import type { ResultOf } from '@graphql-typed-document-node/core';
import {
  CreateApiKeyDocument,
  CreateUserDocument,
  LoginTokenDocument,
  LogoutDocument,
  MeDocument,
  MeIdDocument,
  RefreshSessionDocument,
  RevokeApiKeyDocument,
  SignUpDocument,
  SignUpTokenDocument,
  UpdateUserRoleDocument,
  UserIdDocument,
  UserIdsDocument,
  type Role,
} from './__generated__/graphql';
import { createApiKey } from './support/agent';
import { registerNode } from './support/nodes';
import { bearer, errorCodes, graphql, type GraphQLResponse } from './support/graphql';
import { addUser, login, PASSWORD, signUp, unique, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;

beforeAll(async () => {
  stack = await startStack({ gateways: 2 });
  url = stack.gatewayUrl;
});
afterAll(() => stack?.stop());

const ME = MeDocument;

describe('sign-up and login', () => {
  it('signs up an ADMIN of a new organization, logs in, and answers me', async () => {
    const username = unique('Alice');
    const signedUp = await signUp(url, { username, organizationName: 'Acme Ops Élite' });
    expect(signedUp.user).toMatchObject({
      username,
      email: `${username}@example.com`,
      role: 'ADMIN',
    });

    const session = await login(url, username.toUpperCase());
    const me = await graphql(url, ME, {}, session.headers);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toEqual({
      id: signedUp.user.id,
      username,
      email: `${username}@example.com`,
      displayName: username,
      role: 'ADMIN',
      organization: {
        id: signedUp.user.organization.id,
        name: 'Acme Ops Élite',
        slug: expect.stringMatching(/^acme-ops-elite/),
      },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // Logging in by email works too, in any letter case.
    await expect(login(url, `${username}@EXAMPLE.com`)).resolves.toMatchObject({
      user: { id: signedUp.user.id },
    });
  });

  it('fails alike for a wrong password and an unknown user', async () => {
    const { user } = await signUp(url);
    const mutation = LoginTokenDocument;
    const wrongPassword = await graphql(url, mutation, {
      input: { usernameOrEmail: user.username, password: 'wrong password!' },
    });
    const unknownUser = await graphql(url, mutation, {
      input: { usernameOrEmail: unique('nobody'), password: PASSWORD },
    });
    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(unknownUser)).toEqual(['UNAUTHENTICATED']);
    expect(wrongPassword.errors?.[0]?.message).toBe(unknownUser.errors?.[0]?.message);
  });

  it('refuses duplicate usernames and emails in any letter case', async () => {
    const { user } = await signUp(url);
    const mutation = SignUpTokenDocument;
    const base = { organizationName: 'Other', password: PASSWORD };
    const sameName = await graphql(url, mutation, {
      input: {
        ...base,
        username: user.username.toUpperCase(),
        email: `${unique('x')}@example.com`,
      },
    });
    expect(errorCodes(sameName)).toEqual(['BAD_USER_INPUT']);
    expect(sameName.errors?.[0]?.extensions?.field).toBe('username');
    const sameEmail = await graphql(url, mutation, {
      input: { ...base, username: unique('u'), email: user.email.toUpperCase() },
    });
    expect(errorCodes(sameEmail)).toEqual(['BAD_USER_INPUT']);
    expect(sameEmail.errors?.[0]?.extensions?.field).toBe('email');
  });

  it('signs up many at once, more than the database pool holds, one per username', async () => {
    // Twice the subgraph's pool of 5 connections (support/stack.ts) signing up at once, half of
    // them as one username: a sign-up's statements all run on its transaction's connection, so
    // none waits for a second one while holding the first.
    const taken = unique('race');
    const signUps = Array.from({ length: 20 }, (_, i) => {
      const username = i % 2 === 0 ? taken : unique('u');
      return graphql(url, SignUpTokenDocument, {
        input: {
          organizationName: unique('Org '),
          username,
          email: `${unique('e')}@example.com`,
          password: PASSWORD,
        },
      });
    });
    const answers = (await Promise.all(signUps)).map((response, i) => ({
      sameUsername: i % 2 === 0,
      code: response.errors?.[0]?.extensions?.code ?? 'signed up',
      field: response.errors?.[0]?.extensions?.field,
    }));
    const count = (sameUsername: boolean, code: string) =>
      answers.filter((a) => a.sameUsername === sameUsername && a.code === code).length;
    expect(answers.filter((a) => a.sameUsername && a.code !== 'signed up')).toEqual(
      Array.from({ length: 9 }, () => ({
        sameUsername: true,
        code: 'BAD_USER_INPUT',
        field: 'username',
      })),
    );
    expect([count(true, 'signed up'), count(false, 'signed up')]).toEqual([1, 10]);
  });

  it('signs up twelve at once naming one new organization, each with a slug of its own', async () => {
    // The slug is claimed by the insert: one sign-up gets the name's, the others a suffixed one.
    // Reading it first and inserting after let all twelve find it free, and all but one failed.
    for (let round = 0; round < 4; round++) {
      const suffix = unique('');
      const signUps = Array.from({ length: 12 }, () => {
        const username = unique('u');
        return graphql(url, SignUpDocument, {
          input: {
            organizationName: `Same Org ${suffix}`,
            username,
            email: `${username}@example.com`,
            password: PASSWORD,
          },
        });
      });
      const answers = await Promise.all(signUps);
      expect(answers.map((answer) => errorCodes(answer))).toEqual(answers.map(() => []));
      const slugs = answers.map((answer) => answer.data!.signUp.user.organization.slug).sort();
      const base = `same-org-${suffix}`;
      expect(slugs).toEqual([
        base,
        ...Array.from({ length: 11 }, () =>
          expect.stringMatching(new RegExp(`^${base}-[0-9a-f]{6}$`)),
        ),
      ]);
      expect(new Set(slugs).size).toBe(12);
    }
  });

  it.each([
    ['a dotted capital I', 'İlker'],
    ['a final sigma', 'ΟΔΥΣΣΕΑΣ'],
  ])(
    'logs in by an email with %s, which JavaScript lowercases unlike PostgreSQL',
    async (_label, name) => {
      const email = `${unique('x')}.${name}@example.com`;
      const { user } = await signUp(url, { email });
      for (const given of [email, ` ${email.toUpperCase()} `]) {
        await expect(login(url, given)).resolves.toMatchObject({ user: { id: user.id, email } });
      }
    },
  );

  it('compares passwords and emails in any Unicode form', async () => {
    // `é` typed precomposed at sign-up and decomposed (e + U+0301) later: the same text.
    const password = 'Mot de passe café crème';
    const email = `${unique('jose')}.josé@example.com`;
    const { user } = await signUp(url, { email, password });
    for (const [given, typed] of [
      [email, password.normalize('NFD')],
      [email.normalize('NFD'), password],
    ] as const) {
      await expect(login(url, given, typed)).resolves.toMatchObject({ user: { id: user.id } });
    }
    const again = await graphql(url, SignUpTokenDocument, {
      input: {
        organizationName: 'Org',
        username: unique('u'),
        email: email.normalize('NFD').toUpperCase(),
        password,
      },
    });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  it('names the field for an invalid email or a short password', async () => {
    const mutation = SignUpTokenDocument;
    const input = {
      organizationName: 'Org',
      username: unique('u'),
      email: `${unique('e')}@example.com`,
      password: PASSWORD,
    };
    const badEmail = await graphql(url, mutation, { input: { ...input, email: 'not-an-email' } });
    expect(badEmail.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    const shortPassword = await graphql(url, mutation, { input: { ...input, password: 'short' } });
    expect(shortPassword.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'password',
    });
    expect(shortPassword.errors?.[0]?.message).toMatch(/password/);
  });
});

describe('sessions', () => {
  const REFRESH = RefreshSessionDocument;

  it('rotates refresh tokens, and reuse of a spent one ends the session', async () => {
    const session = await signUp(url);
    const first = await graphql(url, REFRESH, { token: session.refreshToken });
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshSession;
    expect(rotated.refreshToken).not.toBe(session.refreshToken);
    expect(rotated.user.id).toBe(session.user.id);

    // The new credentials work...
    const me = await graphql(url, ME, {}, bearer(rotated.accessToken));
    expect(me.data?.me?.id).toBe(session.user.id);

    // ...until the spent token is replayed: then the whole session ends.
    const replay = await graphql(url, REFRESH, { token: session.refreshToken });
    expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);
    const afterReplay = await graphql(url, REFRESH, { token: rotated.refreshToken });
    expect(errorCodes(afterReplay)).toEqual(['UNAUTHENTICATED']);
    const meAfter = await graphql(url, ME, {}, bearer(rotated.accessToken));
    expect(errorCodes(meAfter)).toEqual(['UNAUTHENTICATED']);
  });

  it('logout makes the access token fail on every gateway within a second', async () => {
    const session = await signUp(url);
    const [gatewayA, gatewayB] = stack.gateways.map((g) => g.url) as [string, string];
    expect((await graphql(gatewayB, ME, {}, session.headers)).data?.me?.id).toBe(session.user.id);

    const out = await graphql(gatewayA, LogoutDocument, {}, session.headers);
    expect(out.data).toEqual({ logout: true });

    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const gateway of [gatewayA, gatewayB]) {
      const me = await graphql(gateway, ME, {}, session.headers);
      expect(me.status).toBe(401);
      expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
    }
    // The subgraph refuses it as well, when asked directly.
    const direct = await graphql(stack.subgraphs.users!.url, ME, {}, session.headers);
    expect(errorCodes(direct)).toEqual(['UNAUTHENTICATED']);
  });

  it('rejects malformed and forged tokens at the gateway', async () => {
    const malformed = await graphql(url, ME, {}, bearer('not-a-jwt'));
    expect(malformed.status).toBe(401);
    expect(errorCodes(malformed)).toEqual(['UNAUTHENTICATED']);
    const notBearer = await graphql(url, ME, {}, { authorization: 'Basic abc' });
    expect(errorCodes(notBearer)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('bad credentials', () => {
  // One answer for "your credential is wrong", whichever kind was sent: HTTP 401, one
  // UNAUTHENTICATED error, no data (docs/security.md).
  const refused = (message: string) => ({
    status: 401,
    errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }],
  });

  it('get the same status and shape for a bearer token and an API key', async () => {
    const admin = await signUp(url);
    const forged = `${admin.accessToken.slice(0, -4)}AAAA`;
    expect(await graphql(url, ME, {}, bearer(forged))).toEqual(refused('Invalid access token.'));
    expect(await graphql(url, ME, {}, { 'x-api-key': unique('ogk_') })).toEqual(
      refused('Invalid API key.'),
    );
  });

  it('refuse a revoked API key like an unknown one, on the cached path too', async () => {
    const admin = await signUp(url);
    const created = await graphql(
      url,
      CreateApiKeyDocument,
      { input: { name: 'ci', role: 'VIEWER' } },
      admin.headers,
    );
    const { apiKey, secret } = created.data!.createApiKey;
    expect((await graphql(url, ME, {}, { 'x-api-key': secret })).data?.me?.id).toBe(admin.user.id);
    await graphql(url, RevokeApiKeyDocument, { id: apiKey.id }, admin.headers);
    // Revocations reach every service's cache through Redis.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < 2; i++)
      expect(await graphql(url, ME, {}, { 'x-api-key': secret })).toEqual(
        refused('Invalid API key.'),
      );
  });
});

describe('API keys', () => {
  it('creates a key whose secret works once shown, then revokes it', async () => {
    const admin = await signUp(url);
    const created = await graphql(
      url,
      CreateApiKeyDocument,
      { input: { name: 'ci deployer', role: 'DEVELOPER' } },
      admin.headers,
    );
    expect(created.errors).toBeUndefined();
    const { apiKey, secret } = created.data!.createApiKey;
    expect(apiKey).toMatchObject({ name: 'ci deployer', role: 'DEVELOPER' });
    expect(secret).toMatch(/^ogk_/);

    const me = await graphql(url, MeIdDocument, {}, { 'x-api-key': secret });
    expect(me.data?.me?.id).toBe(admin.user.id);

    const revoked = await graphql(url, RevokeApiKeyDocument, { id: apiKey.id }, admin.headers);
    expect(revoked.data?.revokeApiKey?.id).toBe(apiKey.id);
    const after = await graphql(url, MeIdDocument, {}, { 'x-api-key': secret });
    expect(errorCodes(after)).toEqual(['UNAUTHENTICATED']);
  });

  it('is for ADMINs only', async () => {
    const admin = await signUp(url);
    const developer = await addUser(url, admin, 'DEVELOPER');
    const attempt = await graphql(
      url,
      CreateApiKeyDocument,
      { input: { name: 'k', role: 'VIEWER' } },
      developer.headers,
    );
    expect(errorCodes(attempt)).toEqual(['FORBIDDEN']);
  });
});

describe('organization isolation', () => {
  it("lists only the own organization and hides other organizations' users", async () => {
    const acme = await signUp(url);
    const acmeViewer = await addUser(url, acme, 'VIEWER');
    const globex = await signUp(url);

    const list = await graphql(url, UserIdsDocument, { first: 50 }, acme.headers);
    const ids = list.data!.users.edges.map((e) => e.node.id).sort();
    expect(ids).toEqual([acme.user.id, acmeViewer.user.id].sort());

    const foreign = await graphql(url, UserIdDocument, { id: globex.user.id }, acme.headers);
    expect(errorCodes(foreign)).toEqual(['NOT_FOUND']);
    const nonsense = await graphql(url, UserIdDocument, { id: 'not-an-id' }, acme.headers);
    expect(errorCodes(nonsense)).toEqual(['NOT_FOUND']);
  });

  it('pages through users with cursors', async () => {
    const admin = await signUp(url);
    for (let i = 0; i < 4; i++) await addUser(url, admin, 'VIEWER');
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      // Annotated: `after` depends on the page, which TypeScript cannot infer in a loop.
      const page: GraphQLResponse<ResultOf<typeof UserIdsDocument>> = await graphql(
        url,
        UserIdsDocument,
        { first: 2, after },
        admin.headers,
      );
      const { edges, pageInfo } = page.data!.users;
      seen.push(...edges.map((e) => e.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor ?? null;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const bad = await graphql(url, UserIdsDocument, { after: 'garbage' }, admin.headers);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('only ADMINs change roles, within their organization', async () => {
    const admin = await signUp(url);
    const viewer = await addUser(url, admin, 'VIEWER');
    const other = await signUp(url);
    const mutation = UpdateUserRoleDocument;
    expect(
      (await graphql(url, mutation, { id: viewer.user.id, role: 'OPERATOR' }, admin.headers)).data,
    ).toEqual({
      updateUserRole: { id: viewer.user.id, role: 'OPERATOR' },
    });
    expect(
      errorCodes(
        await graphql(url, mutation, { id: admin.user.id, role: 'VIEWER' }, viewer.headers),
      ),
    ).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(
        await graphql(url, mutation, { id: viewer.user.id, role: 'ADMIN' }, other.headers),
      ),
    ).toEqual(['NOT_FOUND']);
  });
});

describe('a demoted ADMIN', () => {
  const roleOf = async (admin: SignedIn, id: string) =>
    (await graphql(url, 'query ($id: ID!) { user(id: $id) { role } }', { id }, admin.headers)).data
      ?.user?.role as string | undefined;
  const demote = (by: SignedIn, id: string, role: Role = 'VIEWER') =>
    graphql(url, UpdateUserRoleDocument, { id, role }, by.headers);
  /** A new ADMIN added by whoever `credentials` name (a token or an API key). */
  const addAdmin = (credentials: Record<string, string>) => {
    const username = unique('u');
    return graphql(
      url,
      CreateUserDocument,
      { input: { username, email: `${username}@example.com`, password: PASSWORD, role: 'ADMIN' } },
      credentials,
    );
  };

  it('can no longer change roles, add users or create keys, with a token issued before', async () => {
    const first = await signUp(url);
    const second = await addUser(url, first, 'ADMIN');
    expect((await demote(first, second.user.id)).errors).toBeUndefined();
    // The second's access token still says ADMIN (for at most its lifetime); the database not.
    expect(errorCodes(await demote(second, first.user.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await addAdmin(second.headers))).toEqual(['FORBIDDEN']);
    const key = await graphql(
      url,
      CreateApiKeyDocument,
      { input: { name: 'kept', role: 'ADMIN' } },
      second.headers,
    );
    expect(errorCodes(key)).toEqual(['FORBIDDEN']);
    expect(await roleOf(first, first.user.id)).toBe('ADMIN');
  });

  it('leaves one ADMIN when two demote each other at once', async () => {
    for (let round = 0; round < 5; round++) {
      const first = await signUp(url);
      const second = await addUser(url, first, 'ADMIN');
      const answers = await Promise.all([
        demote(first, second.user.id),
        demote(second, first.user.id),
      ]);
      expect(answers.map((answer) => errorCodes(answer)).sort()).toEqual([[], ['FORBIDDEN']]);
      const roles = [await roleOf(first, first.user.id), await roleOf(first, second.user.id)];
      expect(roles.filter((role) => role === 'ADMIN')).toHaveLength(1);
    }
  });

  it("keeps API keys from acting above their creator's current role", async () => {
    const first = await signUp(url);
    const second = await addUser(url, first, 'ADMIN');
    const key = { 'x-api-key': await createApiKey(url, second, 'ADMIN') };
    expect((await demote(first, second.user.id, 'DEVELOPER')).errors).toBeUndefined();
    expect(errorCodes(await addAdmin(key))).toEqual(['FORBIDDEN']);
    // Elsewhere too: a DEVELOPER's key registers no node (an OPERATOR's operation).
    await expect(registerNode(url, { headers: key })).rejects.toThrow(/FORBIDDEN/);
  });
});

describe('the users subgraph called directly', () => {
  it('reads no user without credentials, including through _entities', async () => {
    const admin = await signUp(url);
    const direct = stack.subgraphs.users!.url;
    const me = await graphql(direct, MeIdDocument, {});
    expect(me.data).toEqual({ me: null });
    const users = await graphql(direct, UserIdsDocument, {});
    expect(errorCodes(users)).toEqual(['UNAUTHENTICATED']);
    // The subgraph's own federation field, not in the client-facing schema: sent as text.
    const entities = await graphql(
      direct,
      `
        query ($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on User {
              id
              email
            }
          }
        }
      `,
      { reps: [{ __typename: 'User', id: admin.user.id }] },
    );
    expect(entities.data).toEqual({ _entities: [null] });
  });

  it('resolves 100 User references with one SQL statement', async () => {
    const admin = await signUp(url);
    const ids = [admin.user.id];
    for (let i = 0; i < 4; i++) ids.push((await addUser(url, admin, 'VIEWER')).user.id);
    const representations = Array.from({ length: 100 }, (_, i) => ({
      __typename: 'User',
      id: ids[i % ids.length],
    }));
    // The subgraph's own federation field, as the gateway sends it: text.
    const query = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id username } } }`;
    const before = stack.subgraphs.users!.service.statementCount();
    const response = await graphql(
      stack.subgraphs.users!.url,
      query,
      { reps: representations },
      admin.headers,
    );
    const statements = stack.subgraphs.users!.service.statementCount() - before;
    expect(response.errors).toBeUndefined();
    expect(response.data!._entities.map((u: { id: string }) => u.id)).toEqual(
      representations.map((r) => r.id),
    );
    expect(statements).toBe(1);
  });
});
