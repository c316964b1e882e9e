/** The demo organization `npm start` and `npm run seed` create, through the public API. */
export const DEMO = {
  organization: 'Demo Ops',
  username: 'demo',
  email: 'demo@opsgraph.local',
  password: 'demo-password',
};

async function post(url: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string }[];
  };
}

/** Signs the demo user up unless it can already log in. Idempotent. */
export async function seedDemo(gatewayUrl: string): Promise<typeof DEMO> {
  const login = await post(
    gatewayUrl,
    'mutation ($input: LoginInput!) { login(input: $input) { user { id } } }',
    { input: { usernameOrEmail: DEMO.username, password: DEMO.password } },
  );
  if (login.data?.login) return DEMO;
  const signUp = await post(
    gatewayUrl,
    'mutation ($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
    {
      input: {
        organizationName: DEMO.organization,
        username: DEMO.username,
        email: DEMO.email,
        password: DEMO.password,
      },
    },
  );
  if (!signUp.data?.signUp)
    throw new Error(`Seeding the demo organization failed: ${JSON.stringify(signUp.errors)}`);
  return DEMO;
}
