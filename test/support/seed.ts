/** Seed builders: create organizations and users through the public API, as clients do. */
import { randomBytes } from 'node:crypto';
import { bearer, graphql } from './graphql';

export const PASSWORD = 'correct horse battery staple';

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  user: { id: string; username: string; email: string; role: string; organization: { id: string } };
  headers: Record<string, string>;
}

const AUTH_FIELDS = `accessToken refreshToken expiresAt user { id username email role organization { id name slug } }`;

export const unique = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

export async function signUp(
  url: string,
  overrides: Partial<Record<string, string>> = {},
): Promise<SignedIn> {
  const username = overrides.username ?? unique('admin');
  const response = await graphql(
    url,
    `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`,
    {
      input: {
        organizationName: overrides.organizationName ?? unique('Org '),
        username,
        email: overrides.email ?? `${username}@example.com`,
        password: overrides.password ?? PASSWORD,
      },
    },
  );
  if (!response.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(response.errors)}`);
  const payload = response.data.signUp;
  return { ...payload, headers: bearer(payload.accessToken) };
}

export async function login(
  url: string,
  usernameOrEmail: string,
  password = PASSWORD,
): Promise<SignedIn> {
  const response = await graphql(
    url,
    `mutation ($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`,
    {
      input: { usernameOrEmail, password },
    },
  );
  if (!response.data?.login) throw new Error(`login failed: ${JSON.stringify(response.errors)}`);
  return { ...response.data.login, headers: bearer(response.data.login.accessToken) };
}

/** An ADMIN creates a user with `role` in their organization, who then signs in. */
export async function addUser(url: string, admin: SignedIn, role: string): Promise<SignedIn> {
  const username = unique(role.toLowerCase());
  const response = await graphql(
    url,
    `
      mutation ($input: CreateUserInput!) {
        createUser(input: $input) {
          id
        }
      }
    `,
    { input: { username, email: `${username}@example.com`, password: PASSWORD, role } },
    admin.headers,
  );
  if (!response.data?.createUser)
    throw new Error(`createUser failed: ${JSON.stringify(response.errors)}`);
  return login(url, username);
}
