/** Seed builders: create organizations and users through the public API, as clients do. */
import { randomBytes } from 'node:crypto';
import {
  CreateUserDocument,
  LoginDocument,
  SignUpDocument,
  type Role,
  type SignedInFieldsFragment,
} from '../__generated__/graphql';
import { bearer, graphql } from './graphql';

export const PASSWORD = 'correct horse battery staple';

/** A signed-in user as signUp and login select it, with the headers to act as them. */
export interface SignedIn extends SignedInFieldsFragment {
  headers: Record<string, string>;
}

export const unique = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

export async function signUp(
  url: string,
  overrides: Partial<Record<string, string>> = {},
): Promise<SignedIn> {
  const username = overrides.username ?? unique('admin');
  const response = await graphql(url, SignUpDocument, {
    input: {
      organizationName: overrides.organizationName ?? unique('Org '),
      username,
      email: overrides.email ?? `${username}@example.com`,
      password: overrides.password ?? PASSWORD,
    },
  });
  if (!response.data?.signUp) throw new Error(`signUp failed: ${JSON.stringify(response.errors)}`);
  const payload = response.data.signUp;
  return { ...payload, headers: bearer(payload.accessToken) };
}

export async function login(
  url: string,
  usernameOrEmail: string,
  password = PASSWORD,
): Promise<SignedIn> {
  const response = await graphql(url, LoginDocument, {
    input: { usernameOrEmail, password },
  });
  if (!response.data?.login) throw new Error(`login failed: ${JSON.stringify(response.errors)}`);
  return { ...response.data.login, headers: bearer(response.data.login.accessToken) };
}

/** An ADMIN creates a user with `role` in their organization, who then signs in. */
export async function addUser(url: string, admin: SignedIn, role: Role): Promise<SignedIn> {
  const username = unique(role.toLowerCase());
  const response = await graphql(
    url,
    CreateUserDocument,
    { input: { username, email: `${username}@example.com`, password: PASSWORD, role } },
    admin.headers,
  );
  if (!response.data?.createUser)
    throw new Error(`createUser failed: ${JSON.stringify(response.errors)}`);
  return login(url, username);
}
