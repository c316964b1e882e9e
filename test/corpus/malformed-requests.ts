/**
 * A corpus of malformed and abusive HTTP requests (well over 200), kept as code so each family
 * says what it probes. `expect: 'rejected'` means a 4xx or a GraphQL error with a catalogue
 * code; `'survived'` (valid but expensive operations, which subgraphs answer: operation limits
 * are the gateway's job) means anything but a 5xx. Every service must stay healthy throughout.
 */
export interface CorpusRequest {
  name: string;
  method: string;
  /** Appended to the service's base URL (e.g. `/graphql?query=…`). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  expect: 'rejected' | 'survived';
}

const json = { 'content-type': 'application/json' };
const post = (
  name: string,
  body: string | Buffer,
  headers: Record<string, string> = json,
): CorpusRequest => ({
  name,
  method: 'POST',
  path: '/graphql',
  headers,
  body: typeof body === 'string' ? Buffer.from(body) : body,
  expect: 'rejected',
});
const query = (name: string, text: string, extra: Record<string, unknown> = {}) =>
  post(name, JSON.stringify({ query: text, ...extra }));
const survives = (request: CorpusRequest): CorpusRequest => ({ ...request, expect: 'survived' });

const repeat = (n: number, make: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => make(i)).join(' ');

export function corpus(): CorpusRequest[] {
  const requests: CorpusRequest[] = [];

  // Bodies that are not JSON, or JSON of the wrong shape.
  for (const body of [
    '{',
    '[',
    '"',
    'nul',
    'tru',
    '{"query":',
    '{"query": "{ me { id } }"',
    '}{',
    '{"a":1,}',
    "{'query': 'x'}",
    '\u0000',
    '{"query":"\\u00"}',
    ' ',
    '1e99999',
    '[[[[[[[[[[',
    '{"query":"{ me }"}}',
  ])
    requests.push(post(`invalid JSON ${JSON.stringify(body)}`, body));
  for (const value of [
    'null',
    '1',
    '"{ me { id } }"',
    '[]',
    'true',
    '{"query":1}',
    '{"query":null}',
    '{"query":{}}',
    '{"query":[]}',
    '{"query":true}',
    '{"query":""}',
    '{"query":"{ me { id } }","variables":"x"}',
    '{"query":"{ me { id } }","variables":[]}',
    '{"query":"{ me { id } }","variables":1}',
    '{"query":"{ me { id } }","operationName":1}',
    '{"query":"{ me { id } }","operationName":"Nope"}',
    '{"query":"query A { me { id } } query B { me { id } }"}',
    '{"query":"{ me { id } }","extensions":"x"}',
    '{"query":"{ me { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
    '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}}',
    '{"extensions":{"persistedQuery":{"version":2,"sha256Hash":"x"}}}',
    '{"extensions":{"persistedQuery":"x"}}',
    '{"documentId":1}',
    '{"documentId":null}',
    '{"documentId":"x"}',
    '{"documentId":{"sha256Hash":"x"},"extensions":{"persistedQuery":{"version":1}}}',
  ])
    requests.push(post(`wrong shape ${value.slice(0, 60)}`, value));

  // More variables that do not coerce than graphql-js reports (50): it gives up with an error of
  // its own, which has no location, on every service.
  const many = Array.from({ length: 60 }, (_, i) => i);
  requests.push(
    post(
      '60 variables that do not coerce',
      JSON.stringify({
        query: `query (${many.map((i) => `$v${i}: Boolean!`).join(', ')}) { ${many
          .map((i) => `a${i}: __typename @include(if: $v${i})`)
          .join(' ')} }`,
        variables: Object.fromEntries(many.map((i) => [`v${i}`, 'yes'])),
      }),
    ),
  );

  // Wrong or missing content types, and methods GraphQL does not answer.
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/html',
    'application/graphql',
    'image/png',
    'application/octet-stream',
  ])
    requests.push(
      post(`content type ${type}`, JSON.stringify({ query: '{ me { id } }' }), {
        'content-type': type,
      }),
    );
  requests.push(post('no content type', JSON.stringify({ query: '{ me { id } }' }), {}));
  for (const method of ['PUT', 'DELETE', 'PATCH'])
    requests.push({
      name: `method ${method}`,
      method,
      path: '/graphql',
      headers: json,
      body: Buffer.from('{"query":"{ me { id } }"}'),
      expect: 'rejected',
    });
  requests.push({
    name: 'GET without preflight header (CSRF)',
    method: 'GET',
    path: `/graphql?query=${encodeURIComponent('{ me { id } }')}`,
    headers: {},
    expect: 'rejected',
  });
  requests.push({
    name: 'GET mutation',
    method: 'GET',
    path: `/graphql?query=${encodeURIComponent('mutation { logout }')}`,
    headers: { 'apollo-require-preflight': 'true' },
    expect: 'rejected',
  });
  for (const search of [
    '?query=',
    '?query={',
    '?variables={',
    '?query=%E0%A4%A',
    '?query=' + '%7B'.repeat(100),
    '?extensions=x&query={me{id}}',
    '?documentId=x',
    '?documentId=&query={',
    '?documentId=x&extensions={',
  ])
    requests.push({
      name: `GET ${search.slice(0, 30)}`,
      method: 'GET',
      path: `/graphql${search}`,
      headers: { 'apollo-require-preflight': 'true' },
      expect: 'rejected',
    });
  requests.push({
    name: 'unknown path',
    method: 'GET',
    path: '/graphql/../../etc/passwd',
    headers: {},
    expect: 'rejected',
  });
  requests.push({
    name: 'unknown route',
    method: 'POST',
    path: '/admin',
    headers: json,
    body: Buffer.from('{}'),
    expect: 'rejected',
  });

  // Bodies over the limit.
  for (const size of [1_100_000, 2_000_000, 8_000_000])
    requests.push(
      post(
        `body of ${size} bytes`,
        JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(size) } }),
      ),
    );

  // Invalid UTF-8 and control characters.
  for (const bytes of [
    [0xff],
    [0xc3, 0x28],
    [0xe2, 0x82],
    [0xf0, 0x28, 0x8c, 0x28],
    [0xed, 0xa0, 0x80],
    [0xc0, 0xaf],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xfe, 0xfe, 0xff, 0xff],
  ])
    requests.push(
      post(
        `invalid UTF-8 ${bytes.map((b) => b.toString(16)).join(' ')}`,
        Buffer.concat([
          Buffer.from('{"query":"query ($x: ID!) { user(id: $x) { id } }","variables":{"x":"'),
          Buffer.from(bytes),
          Buffer.from('"}}'),
        ]),
      ),
    );
  for (const control of ['\u0000', '\u0001', '\u001b[31m', '\ud800', '\udfff', '\u2028'])
    requests.push(
      query(
        `control character ${JSON.stringify(control)}`,
        `query ($x: ID!) { user(id: $x) { id } } # ${control}`,
        { variables: { x: `id${control}` } },
      ),
    );

  // Syntax and validation errors.
  for (const text of [
    '{',
    '}',
    '{ me',
    'query {',
    'mutation',
    'subscription',
    '{ me { id } } }',
    '{ ...X }',
    'fragment X on User { id }',
    '{ me { id }',
    'query ($a: Int, $a: Int) { me { id } }',
    '{ me(id: 1) { id } }',
    '{ nope }',
    '{ me { nope } }',
    '{ __typename @nope }',
    'query { me { id } } mutation { me }',
    '{ me { ... on Nope { id } } }',
    '{ me { id(x: ) } }',
    '#'.repeat(1000),
    '"""'.repeat(10),
  ])
    requests.push(query(`invalid document ${JSON.stringify(text.slice(0, 40))}`, text));

  // Fragment cycles.
  requests.push(
    query(
      'fragment cycle A↔B',
      'query { me { ...A } } fragment A on User { ...B } fragment B on User { ...A }',
    ),
  );
  requests.push(
    query('fragment self-cycle', 'query { me { ...A } } fragment A on User { id ...A }'),
  );
  requests.push(
    query(
      'fragment cycle of five',
      `query { me { ...F0 } } ${repeat(5, (i) => `fragment F${i} on User { ...F${(i + 1) % 5} }`)}`,
    ),
  );
  requests.push(
    query(
      'fragment cycle through inline fragment',
      'query { me { ...A } } fragment A on User { ... on User { ...A } }',
    ),
  );
  requests.push(
    query(
      'unused cyclic fragments',
      'query { me { id } } fragment A on User { ...B } fragment B on User { ...A }',
    ),
  );

  // Depth bombs (valid where the schema nests: channels → messages → channel → …).
  for (const depth of [20, 40, 80, 160]) {
    const nested = `${'channel(id: "x") { messages(first: 1) { edges { node { '.repeat(depth / 4)}id${' } } } }'.repeat(depth / 4)}`;
    requests.push(survives(query(`depth bomb ${depth}`, `{ ${nested} }`)));
    requests.push(
      query(
        `invalid depth bomb ${depth}`,
        `{ ${'me { organization { '.repeat(depth / 2)}id${' } }'.repeat(depth / 2)} }`,
      ),
    );
  }

  // Alias and root-field bombs, directive and token bombs, expensive lists.
  for (const count of [100, 1000, 5000]) {
    requests.push(
      survives(query(`alias bomb ${count}`, `{ ${repeat(count, (i) => `a${i}: __typename`)} }`)),
    );
    requests.push(
      survives(
        query(`root field bomb ${count}`, `{ ${repeat(count, (i) => `m${i}: me { id }`)} }`),
      ),
    );
    requests.push(
      survives(
        query(
          `directive bomb ${count}`,
          `{ me { id ${repeat(count, () => '@include(if: true)')} } }`,
        ),
      ),
    );
  }
  for (const count of [20_000, 100_000])
    requests.push(
      survives(query(`token bomb ${count}`, `{ ${repeat(count, () => '__typename')} }`)),
    );
  for (const first of [500, 501, 10_000, -1, 2 ** 31])
    requests.push(
      query(`page size ${first}`, `{ users(first: ${first}) { edges { node { id } } } }`),
    );
  requests.push(
    survives(
      query(
        'costly nested lists',
        '{ channels(first: 500) { edges { node { messages(first: 500) { edges { node { id } } } } } } }',
      ),
    ),
  );

  // Variables: huge counts, huge values, wrong types.
  // Unused variables are ignored, as the spec says: the point is only that nothing breaks.
  requests.push(
    survives(
      query('10,000 unused variables', '{ me { id } }', {
        variables: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`v${i}`, i])),
      }),
    ),
  );
  requests.push(
    query('a 500 kB string variable', 'query ($s: String!) { user(id: $s) { id } }', {
      variables: { s: 'x'.repeat(500_000) },
    }),
  );
  requests.push(
    query(
      'deeply nested input variable',
      'mutation ($i: LoginInput!) { login(input: $i) { accessToken } }',
      { variables: { i: JSON.parse('{"a":'.repeat(500) + '1' + '}'.repeat(500)) } },
    ),
  );
  for (const value of [
    1,
    true,
    null,
    [],
    {},
    'x'.repeat(10_000),
    { __proto__: { admin: true } },
    { constructor: { prototype: {} } },
  ])
    requests.push(
      query(
        `variable of type ${Array.isArray(value) ? 'array' : typeof value}`,
        'mutation ($i: LoginInput!) { login(input: $i) { accessToken } }',
        { variables: { i: value } },
      ),
    );
  for (const role of ['ROOT', 'admin', '', 'ADMIN; drop table users'])
    requests.push(
      query(
        `bad enum ${JSON.stringify(role)}`,
        `mutation { createApiKey(input: { name: "k", role: ${JSON.stringify(role)} }) { secret } }`,
      ),
    );

  // Oversized strings inside documents and arguments, injection-looking input.
  for (const size of [10_000, 100_000, 500_000])
    requests.push(query(`string literal of ${size}`, `{ user(id: "${'x'.repeat(size)}") { id } }`));
  for (const text of [
    "' or 1=1 --",
    '"; drop table users; --',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '%00',
    '\\u0000',
    '{{7*7}}',
  ])
    requests.push(
      query(
        `injection-looking id ${JSON.stringify(text)}`,
        'query ($id: ID!) { user(id: $id) { id } }',
        { variables: { id: text } },
      ),
    );
  for (const text of ["' or 1=1 --", 'admin\u0000', 'x'.repeat(5_000)])
    requests.push(
      query(
        `login with ${JSON.stringify(text.slice(0, 20))}`,
        'mutation ($i: LoginInput!) { login(input: $i) { accessToken } }',
        { variables: { i: { usernameOrEmail: text, password: text } } },
      ),
    );

  // Batches (off by default), introspection abuse (off in production).
  requests.push(
    post('batch of 2', JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }])),
  );
  requests.push(
    post(
      'batch of 1,000',
      JSON.stringify(Array.from({ length: 1000 }, () => ({ query: '{ me { id } }' }))),
    ),
  );
  requests.push(post('empty batch', '[]'));
  for (const depth of [1, 5, 10])
    requests.push(
      query(
        `introspection depth ${depth}`,
        `{ __schema { types { ${'fields { type { '.repeat(depth)}name${' } }'.repeat(depth)} } } }`,
      ),
    );
  requests.push(query('introspection of a type', '{ __type(name: "User") { fields { name } } }'));

  // Credentials that are not credentials.
  for (const authorization of [
    'Bearer',
    'Bearer ',
    'bearer x',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer a.b.c',
    'Bearer ' + 'x'.repeat(8_000),
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
    'Token x',
    '\u00ff\u00fe',
  ])
    requests.push(
      post(
        `authorization ${JSON.stringify(authorization.slice(0, 30))}`,
        JSON.stringify({ query: '{ users { edges { node { id } } } }' }),
        { ...json, authorization },
      ),
    );
  for (const apiKey of ['', 'ogk_', 'ogk_' + 'x'.repeat(10_000), 'not-a-key', "' or 1=1 --"])
    requests.push(
      post(
        `x-api-key ${JSON.stringify(apiKey.slice(0, 20))}`,
        JSON.stringify({ query: '{ users { edges { node { id } } } }' }),
        { ...json, 'x-api-key': apiKey || ' ' },
      ),
    );
  for (const id of ['x'.repeat(200), '../', 'a b', '\u00e9'])
    requests.push(
      post(
        `x-request-id ${JSON.stringify(id.slice(0, 10))}`,
        JSON.stringify({ query: '{ nope }' }),
        { ...json, 'x-request-id': encodeURIComponent(id) },
      ),
    );

  // Operation names, variable definitions and arguments that do not fit.
  for (const text of [
    'query A { me { id } } query A { me { id } }',
    'query { me { id } } query { me { id } }',
    'query ($x: Nope) { me { id } }',
    'query ($x: String) { me { id } }',
    'query ($x: Int!) { me { id } }',
    '{ user { id } }',
    '{ user(id: 1, id: 2) { id } }',
    '{ users(first: "ten") { edges { node { id } } } }',
    '{ users(after: 5) { edges { node { id } } } }',
    '{ users(first: 1.5) { edges { node { id } } } }',
    'mutation { logout logout }',
    'mutation { signUp { accessToken } }',
    'mutation { login(input: {}) { accessToken } }',
    'mutation { createUser(input: { username: "x" }) { id } }',
    'subscription { me { id } }',
    '{ me { id } } fragment X on Nope { id }',
    '{ me { ...X } } fragment X on User { id } fragment X on User { id }',
    '{ _service { nope } }',
  ])
    requests.push(query(`misfit ${JSON.stringify(text.slice(0, 40))}`, text));
  // Representations are raw JSON (`_Any`): each must name one of the subgraph's entity types
  // and carry a key of it (on the gateway, `_entities` is no field at all).
  for (const representations of [
    '[{}]',
    '"x"',
    '[1]',
    '[[]]',
    '[{ __typename: 1 }]',
    '[{ __typename: "Nope", id: "x" }]',
    '[{ __typename: "Query" }]',
    '[{ __typename: "__proto__", id: "x" }]',
    '[{ __typename: "Node" }]',
    '[{ __typename: "Node", id: null }]',
    '[{ __typename: "User", id: { id: "x" } }]',
    '[{ __typename: "Deployment", id: ["x"] }]',
  ])
    requests.push(
      query(
        `malformed representations ${representations}`,
        `{ _entities(representations: ${representations}) { __typename } }`,
      ),
    );
  for (const operationName of ['', ' ', 'A'.repeat(10_000), '__proto__'])
    requests.push(
      query(
        `operationName ${JSON.stringify(operationName.slice(0, 10))}`,
        'query A { me { id } } query B { me { id } }',
        { operationName },
      ),
    );

  return requests;
}
