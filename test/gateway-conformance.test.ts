/**
 * Differential conformance: the gateway's hot path (remembered plans, the lean executor) must
 * answer every repeat exactly as Apollo Server's pipeline answered the first request. Over four
 * throwaway subgraphs shaped for federation v2 (test/fixtures/conformance-subgraphs.ts), each
 * case is sent three times to one gateway over HTTP; status, content type and body must be
 * identical byte for byte, and the repeats must really be served by the hot path.
 *
 * The cases are a list of base queries, each also sent aliased, with __typename everywhere,
 * through fragments and under @skip/@include, plus queries over several variable sets, and
 * operations generated at random from a printed seed (TEST_SEED=<seed> replays them). A few
 * cases also state what the federation spec requires, where both paths could agree and be wrong.
 * Each answer must also have cost the same subgraph requests on both paths (expectSameAnswer).
 */
import {
  Kind,
  parse,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type FieldNode,
  type SelectionSetNode,
} from 'graphql';
import { betaWidgetReferences, CONFORMANCE_SUBGRAPHS } from './fixtures/conformance-subgraphs';
import { startComposedSubgraphs, type ComposedSubgraphs } from './fixtures/throwaway-subgraphs';
import { varyOperation } from './support/operation-variations';
import { randomOperation, type OperationShape } from './support/random-operations';
import { startGateway, testGatewayConfig, type Running } from './support/stack';
import { Random } from './faults/schedule';
import { loadSupergraph } from '../gateway/execution/schemas';
import type { Gateway } from '../gateway/server';

const BASE_QUERIES = [
  '{ widgets { id name } }',
  '{ widgets { id kind } }',
  '{ widgets { id kinds } }',
  '{ widget(id: "w3") { id kind } }',
  '{ wilds { id name kind } }',
  '{ widgets { id price priceLabel } }',
  '{ wilds { id priceLabel stock } }',
  '{ wilds { id ratingStrict } }',
  '{ wilds { id rating } }',
  '{ widgets { id reviews { stars body author { name } } } }',
  '{ widgets { id reviews { stars author { id name nickname } } } }',
  '{ widget(id: "w3") { reviews { author { name since } } } }',
  '{ widgets { id warehouse { code city capacity manager { name since } } } }',
  '{ widgets { id color } }',
  '{ widgets { id name color maker { id } } }',
  '{ featured { id name kind price priceLabel color } }',
  '{ topRated { id name rating reviews { stars } } }',
  '{ matrix { id name } }',
  '{ matrix { id ratingStrict } }',
  '{ widgets { dims parts { label weight note sub { label weight sub { label } } } } }',
  '{ widget(id: "w3") { parts { label sub { label } } } }',
  '{ items { id title } }',
  '{ items { id title popularity } }',
  '{ items { id ... on Book { pages } ... on Movie { minutes } } }',
  '{ item(id: "m1") { id popularity ... on Movie { minutes } } }',
  '{ search { ... on Widget { id name rating } ... on Book { title } ... on Movie { title minutes } } }',
  '{ search(term: "ghost") { ... on Widget { id } } }',
  '{ failingRoot widgets { id } }',
  '{ failingStrictRoot widgets { id } }',
  '{ strictWidget(id: "w1") { id ratingStrict } }',
  '{ strictWidget(id: "w4") { id ratingStrict } }',
  '{ strictWidget(id: "w6") { id name ratingStrict } }',
  '{ widget(id: "nope") { id } }',
  '{ strictWidget(id: "nope") { id } }',
  '{ people { id name nickname since } }',
  '{ widget(id: "w2") { maker { id } reviews { author { nickname } } } }',
  '{ greeting }',
  '{ greeting(name: "x") loud: greeting(loud: true) }',
  '{ widget(id: "w5") { id name rating ratingStrict reviews { author { name nickname since } } } }',
  '{ wilds { id kinds reviews { stars } warehouse { city } } }',
  '{ widgets { id secret } }',
  '{ people { email } }',
  '{ matrix { id kinds } }',
  '{ wilds { id warehouse { manager { since } } } }',
  '{ item(id: "b2") { id title popularity } }',
  '{ items { id ... on Book { title popularity } } }',
  '{ search { ... on Item { id title popularity } } }',
  '{ featured { maker { id } reviews { body } } }',
  '{ wilds { id name kind kinds price priceLabel stock rating ratingStrict color } }',
  '{ widget(id: "w1") { kinds parts { sub { sub { weight } } } dims } }',
  // Inline fragments of one type condition, which Apollo merges into the first of them.
  '{ widgets { ... on Widget { id } name ... on Widget { kind } } }',
  '{ widgets { ... { id } name ... { kind color } } }',
  '{ widgets { ... on Widget { rating } id ... on Widget { name reviews { stars } } } }',
  '{ items { ... on Book { title } id ... on Movie { minutes } ... on Book { pages } } }',
  '{ search { ... on Widget { id } ... on Book { title } ... on Widget { name ... on Widget { kind } price ... on Widget { color } } } }',
  // The same entities many times over, at several depths; some of them erring or missing.
  '{ repeats(ids: ["w1", "w2", "w1", "w3", "w2", "w1"]) { id name stock rating priceLabel warehouse { city capacity manager { name } } reviews { author { name since } } } }',
  '{ repeats(ids: ["w1", "w5", "w1", "w5"]) { id rating reviews { author { since } } } }',
  '{ repeats(ids: ["w4", "w1", "w4", "nope", "w1"]) { id stock ratingStrict } }',
  '{ repeats(ids: ["w2", "w2", "w3", "w3"]) { id maker { id } reviews { author { nickname since } } } }',
  '{ repeats(ids: ["w6", "w1", "w6"]) { id name ratingStrict } }',
  '{ repeats(ids: ["w2", "w1", "w2", "w1"]) { id warehouse { manager { name since } } color } }',
];

type Transform = (document: DocumentNode) => DocumentNode;

const leaf = (node: FieldNode) => !node.selectionSet;
const field = (name: string): FieldNode => ({
  kind: Kind.FIELD,
  name: { kind: Kind.NAME, value: name },
});

const TRANSFORMS: Record<string, Transform> = {
  plain: (document) => document,
  aliased: (document) =>
    visit(document, {
      Field: (node) =>
        node.alias
          ? undefined
          : { ...node, alias: { kind: Kind.NAME, value: `${node.name.value}_` } },
    }),
  typenamed: (document) =>
    visit(document, {
      SelectionSet: (node: SelectionSetNode) => ({
        ...node,
        selections: [field('__typename'), ...node.selections],
      }),
    }),
  fragmented: (document) => {
    const [operation] = document.definitions;
    if (operation?.kind !== Kind.OPERATION_DEFINITION) return document;
    // Every nested selection set behind an inline fragment, the root behind a named one.
    const nested = visit(operation.selectionSet, {
      Field: (node) =>
        node.selectionSet
          ? {
              ...node,
              selectionSet: {
                kind: Kind.SELECTION_SET,
                selections: [{ kind: Kind.INLINE_FRAGMENT, selectionSet: node.selectionSet }],
              },
            }
          : undefined,
    });
    return parse(`query Fragmented { ...Root } fragment Root on Query ${print(nested as ASTNode)}`);
  },
  directed: (document) => {
    const withDirectives = visit(document, {
      Field: (node) => {
        if (node.name.value === '__typename') return undefined;
        const [name, variable] = leaf(node) ? ['include', 'yes'] : ['skip', 'no'];
        return {
          ...node,
          directives: [
            ...(node.directives ?? []),
            {
              kind: Kind.DIRECTIVE,
              name: { kind: Kind.NAME, value: name },
              arguments: [
                {
                  kind: Kind.ARGUMENT,
                  name: { kind: Kind.NAME, value: 'if' },
                  value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: variable } },
                },
              ],
            },
          ],
        };
      },
    });
    const body = print(withDirectives).replace(/^\{/, '');
    return parse(`query Directed($yes: Boolean = true, $no: Boolean = false) {${body}`);
  },
};

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

const WIDGET_BY_ID = `query WidgetById($id: ID!) {
  widget(id: $id) { id name kind rating ratingStrict reviews { stars author { name since } } }
}`;
const SEARCH = `query Search($term: String) {
  search(term: $term) { __typename ... on Widget { id kind } ... on Item { id } }
}`;
const GREETING = `query Greeting($name: String, $loud: Boolean) { greeting(name: $name, loud: $loud) }`;
const ITEM_BY_ID = `query ItemById($id: ID!) { item(id: $id) { __typename id title popularity } }`;
const SWITCHES = `query Switches($yes: Boolean!, $no: Boolean!) {
  widgets {
    id
    name @include(if: $yes)
    kind @skip(if: $no)
    reviews @include(if: $yes) { stars author @skip(if: $no) { name since } }
  }
  ... on Query @skip(if: $yes) { items { id } }
}`;
const TWO_OPERATIONS = `
  query First { widgets { id } }
  query Second($id: ID!) { w: widget(id: $id) { ...Bits } }
  fragment Bits on Widget { name kinds color }`;

const CASES: Case[] = [
  ...BASE_QUERIES.flatMap((query, index) =>
    Object.entries(TRANSFORMS).map(([transform, apply]) => ({
      name: `#${index} ${transform}: ${query}`,
      query: print(apply(parse(query))),
    })),
  ),
  ...['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'nope'].map((id) => ({
    name: `widget by id ${id}`,
    query: WIDGET_BY_ID,
    variables: { id },
  })),
  ...[null, 'ghost', 'x'].map((term) => ({
    name: `search ${term}`,
    query: SEARCH,
    variables: { term },
  })),
  ...[{}, { name: 'z' }, { name: 'z', loud: true }, { name: null, loud: false }].map(
    (variables) => ({ name: `greeting ${JSON.stringify(variables)}`, query: GREETING, variables }),
  ),
  ...['b1', 'm1', 'b2', 'zz'].map((id) => ({
    name: `item by id ${id}`,
    query: ITEM_BY_ID,
    variables: { id },
  })),
  ...[true, false].flatMap((yes) =>
    [true, false].map((no) => ({
      name: `switches yes=${yes} no=${no}`,
      query: SWITCHES,
      variables: { yes, no },
    })),
  ),
  ...['First', 'Second'].map((operationName) => ({
    name: `operation ${operationName} of two`,
    query: TWO_OPERATIONS,
    operationName,
    variables: operationName === 'Second' ? { id: 'w1' } : {},
  })),
];

let subgraphs: ComposedSubgraphs;
let gateway: Running<Gateway>;

beforeAll(async () => {
  subgraphs = await startComposedSubgraphs(CONFORMANCE_SUBGRAPHS);
  gateway = await startGateway(testGatewayConfig({ supergraphPath: subgraphs.writeSupergraph() }));
});
afterAll(async () => {
  await gateway?.stop();
  await subgraphs?.stop();
});

async function pipelineAnswers(): Promise<number> {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const match = /^opsgraph_gateway_operations_total\{[^}]*path="pipeline"[^}]*\} (\d+)/m.exec(text);
  return Number(match?.[1] ?? 0);
}

async function send({ query, variables, operationName }: Omit<Case, 'name'>) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return answerOf(response);
}

/** What a client reads of a response: every header but those of the moment, and the body. */
async function answerOf(response: Response) {
  const {
    date: _date,
    connection: _connection,
    'keep-alive': _keepAlive,
    ...headers
  } = Object.fromEntries(response.headers);
  return { status: response.status, headers, body: await response.text() };
}

/** The subgraph requests received since `since` (how many each subgraph had received then). */
const receivedSince = (since: Record<string, number>) =>
  Object.entries(subgraphs.received).flatMap(([name, log]) =>
    log.slice(since[name]).map(({ query, variables }) => ({ name, query, variables })),
  );

/** The answer, and the subgraph requests it took. */
async function sendCounted(request: Omit<Case, 'name'>) {
  const since = Object.fromEntries(
    Object.entries(subgraphs.received).map(([name, log]) => [name, log.length]),
  );
  const answer = await send(request);
  return { answer, requests: receivedSince(since) };
}

type Counted = Awaited<ReturnType<typeof sendCounted>>;
type SentRequest = Counted['requests'][number];

/** A subgraph request with the duplicates among its representations left out, as a string. */
function withoutDuplicates({ name, query, variables }: SentRequest) {
  const representations = variables?.representations as unknown[] | undefined;
  const distinct = representations && [
    ...new Map(representations.map((r) => [JSON.stringify(r), r])).values(),
  ];
  return {
    key: JSON.stringify([
      name,
      query,
      distinct ? { ...variables, representations: distinct } : variables,
    ]),
    hadDuplicates: distinct !== undefined && distinct.length < representations!.length,
  };
}

/**
 * An answer with its errors in a canonical order. Apollo's executor lists the errors of parallel
 * fetches in the order the subgraphs answer, which varies with the network even between two runs
 * of its own (a connection opened for one of them, say): that order is the one thing compared
 * here as a set rather than byte for byte (the order of errors arriving far apart is a case of
 * its own below).
 */
function withErrorsSorted(answer: Counted['answer']): Counted['answer'] {
  const { errors } = JSON.parse(answer.body) as { errors?: unknown[] };
  if (!errors) return answer;
  const sorted = errors.map((error) => JSON.stringify(error)).sort();
  return { ...answer, body: answer.body.replace(JSON.stringify(errors), `[${sorted.join(',')}]`) };
}

/**
 * A hot-path answer matches the pipeline's byte for byte (withErrorsSorted), and took the same
 * subgraph requests — up to duplicate representations: the lean executor sends an entity once
 * however often a page names it, and when a run with such a fetch falls back, Apollo's executor
 * sends that fetch again as it sends it, duplicates included. Nothing else may be sent twice or
 * left out.
 */
function expectSameAnswer(hot: Counted, pipeline: Counted) {
  expect(withErrorsSorted(hot.answer)).toEqual(withErrorsSorted(pipeline.answer));
  const unmatched = hot.requests.map((request) => withoutDuplicates(request).key);
  const missing: string[] = [];
  const mayBeSentAgain = new Set<string>();
  for (const request of pipeline.requests) {
    const { key, hadDuplicates } = withoutDuplicates(request);
    const index = unmatched.indexOf(key);
    if (index === -1) missing.push(key);
    else unmatched.splice(index, 1);
    if (hadDuplicates) mayBeSentAgain.add(key);
  }
  const extra = unmatched.filter((key) => !mayBeSentAgain.has(key));
  expect({ missing, extra }).toEqual({ missing: [], extra: [] });
}

/** The first answer (the pipeline's), after checking both repeats (the hot path's) match it. */
async function sendThrice(request: Omit<Case, 'name'>) {
  const first = await sendCounted(request);
  const before = await pipelineAnswers();
  const repeats = [await sendCounted(request), await sendCounted(request)];
  const pipelineRepeats = (await pipelineAnswers()) - before;
  for (const repeat of repeats) expectSameAnswer(repeat, first);
  return checkPaths(first.answer, pipelineRepeats, 2);
}

/**
 * A document with other variables: answered by the pipeline (the document made new by a comment,
 * so that it is not remembered yet), then by the hot path — if the document is `remembered`
 * (an earlier request of it reached execution); else by the pipeline again, which remembers it.
 */
async function sendOnBothPaths(request: Omit<Case, 'name'>, variant: number, remembered: boolean) {
  const pipeline = await sendCounted({
    ...request,
    query: `${request.query}\n# variant ${variant}`,
  });
  const before = await pipelineAnswers();
  const hot = await sendCounted(request);
  expectSameAnswer(hot, pipeline);
  return checkPaths(pipeline.answer, (await pipelineAnswers()) - before, 1, remembered);
}

function checkPaths(
  first: Awaited<ReturnType<typeof send>>,
  pipelineRepeats: number,
  repeats: number,
  remembered = true,
) {
  // A refused request (a request error: no data at all) is refused by the pipeline every time,
  // and leaves its document unremembered (it never reached execution); a remembered document is
  // answered by the hot path.
  const body = JSON.parse(first.body);
  expect(pipelineRepeats).toBe(body.data === undefined || !remembered ? repeats : 0);
  return { status: first.status, body };
}

it('has at least 150 cases', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(150);
});

it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, request) => {
  await sendThrice(request);
});

/**
 * Generated operations (test/support/random-operations.ts, every other one varied by
 * test/support/operation-variations.ts: aliases with other arguments, fragments split and side
 * by side, @skip/@include, variables with defaults) over the same subgraphs: each answered by the
 * pipeline, then twice by the hot path, and with each further set of variables by both
 * (sendOnBothPaths). The seed is printed; TEST_SEED=<seed> replays a run.
 */
describe('generated operations', () => {
  const SEED = Number(process.env.TEST_SEED || Math.floor(Math.random() * 2 ** 31));
  // With the cases above, well within the 1,000 documents a gateway remembers.
  const OPERATIONS = 250;
  const SHAPE: OperationShape = {
    argumentPools: {
      id: ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'nope', 'b1', 'b2', 'm1'],
      ids: [
        ['w1', 'w2', 'w1'],
        ['w4', 'nope', 'w1', 'w4'],
        ['w5', 'w6', 'w3', 'w2', 'w5'],
        [],
        ['w1'],
      ],
      term: [null, 'ghost', 'x'],
      name: [null, 'z', 'Ünïcode "quoted"'],
    },
    maxDepth: 4,
    maxFieldsPerSelection: 4,
    maxVariableSets: 3,
  };

  it(`answer alike on the pipeline and the hot path (seed ${SEED})`, async () => {
    console.log(`gateway-conformance seed: ${SEED} (TEST_SEED=${SEED} replays it)`);
    const schema = loadSupergraph(subgraphs.supergraphSdl).schemas.apiGraphQLSchema;
    const random = new Random(SEED);
    for (let index = 0; index < OPERATIONS; index++) {
      const generated = randomOperation(schema, random, SHAPE);
      // Every other one varied into shapes the generator does not make (operation-variations.ts).
      const { query, variableSets } =
        index % 2 === 1 ? varyOperation(schema, random, SHAPE, generated) : generated;
      const [first, ...others] = variableSets;
      try {
        // Variables refused before execution (e.g. an explicit null where a value is needed)
        // leave the document unremembered until a request of it reaches execution.
        let remembered = (await sendThrice({ query, variables: first })).body.data !== undefined;
        for (const [variant, variables] of others.entries()) {
          const { body } = await sendOnBothPaths({ query, variables }, variant, remembered);
          remembered ||= body.data !== undefined;
        }
      } catch (error) {
        const { message } = error as Error;
        const context = `Generated operation #${index} (TEST_SEED=${SEED}):\n${query}`;
        throw Object.assign(error as Error, {
          message: `${context}\n${JSON.stringify(variableSets)}\n${message}`,
        });
      }
    }
  });
});

it('leaves to Apollo what its pipeline answers otherwise: an empty operationName, an Accept that prefers its callback protocol', async () => {
  const query = '{ widgets { id name } }';
  await send({ query }); // remembered for the hot path
  const requests: { body: object; accept?: string }[] = [
    { body: { query, operationName: '' } },
    {
      body: { query },
      accept: 'application/json;callbackSpec=1.0, application/graphql-response+json;q=0.5',
    },
  ];
  for (const [i, { body, accept }] of requests.entries()) {
    const post = (text: string) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(accept && { accept }) },
        body: JSON.stringify({ ...body, query: text }),
      }).then(answerOf);
    // A text never sent before: Apollo's pipeline answers it.
    const pipeline = await post(`${query}\n# unseen ${i}`);
    expect(await post(query)).toEqual(pipeline);
  }
});

describe('what the federation spec requires, on every path', () => {
  it('completes an @inaccessible enum value as an invalid value (null), never the hidden name', async () => {
    const { body } = await sendThrice({
      query: '{ wilds { id kind kinds } hidden: widget(id: "w3") { kind } }',
    });
    expect(JSON.stringify(body)).not.toContain('SECRET');
    expect(body.data.hidden).toEqual({ kind: null });
    expect(body.data.wilds[1]).toEqual({ id: 'w2', kind: 'CLOSED', kinds: null });
    expect(body.extensions.valueCompletion).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: 'Invalid value found for field Widget.kind.',
          path: ['hidden', 'kind'],
        }),
      ]),
    );
  });

  it('never exposes a value of an @inaccessible type', async () => {
    const { body } = await sendThrice({
      query: '{ search(term: "ghost") { __typename ... on Widget { id } } }',
    });
    expect(body.data.search).toEqual([null, { __typename: 'Widget', id: 'w1' }]);
  });

  it('refuses @inaccessible fields at validation', async () => {
    const { body } = await sendThrice({ query: '{ widgets { secret } }' });
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.data).toBeUndefined();
  });

  it('serves an @override field from the overriding subgraph and @provides fields without a fetch', async () => {
    const gammaBefore = subgraphs.requests.gamma!;
    const { body } = await sendThrice({
      query: '{ widgets { color reviews { author { name } } } }',
    });
    expect(body.data.widgets[0].color).toBe('crimson');
    expect(body.data.widgets[0].reviews[0].author).toEqual({ name: 'Ada' });
    expect(subgraphs.requests.gamma).toBe(gammaBefore);
  });

  it('fetches once when a subgraph answers FORBIDDEN to a lean query (its fallback reuses the answers)', async () => {
    const query = '{ wilds { id rating } }';
    const first = await sendCounted({ query });
    const repeat = await sendCounted({ query });
    expect(repeat).toEqual(first);
    expect(first.requests).toHaveLength(2); // alpha's list, then beta's ratings
    expect(JSON.parse(first.answer.body).errors[0].extensions).toEqual({
      code: 'FORBIDDEN',
      serviceName: 'beta',
    });
  });

  it('asks a subgraph once for an entity the page names many times, on the lean path', async () => {
    const query = '{ repeats(ids: ["w1", "w2", "w1", "w1", "w2"]) { id stock } }';
    const resolved = async () => {
      const before = betaWidgetReferences.resolved;
      const { answer } = await sendCounted({ query });
      return { body: JSON.parse(answer.body), references: betaWidgetReferences.resolved - before };
    };
    const pipeline = await resolved();
    const lean = await resolved();
    expect(lean.body).toEqual(pipeline.body);
    expect(lean.body.data.repeats.map((w: { stock: number }) => w.stock)).toEqual([
      10, 0, 10, 10, 0,
    ]);
    expect(pipeline.references).toBe(5); // Apollo's executor: one representation per widget
    expect(lean.references).toBe(2);
  });

  it('lists the errors of parallel fetches in the order the subgraphs answered, on every path', async () => {
    const query = '{ slowFailingRoot failingPeople { id } }';
    const before = await pipelineAnswers();
    // The pipeline's answer, then the hot path's twice (its lean run falls back).
    const answers = [await send({ query }), await send({ query }), await send({ query })];
    expect((await pipelineAnswers()) - before).toBe(1);
    for (const { body } of answers) {
      const { errors } = JSON.parse(body) as { errors: { message: string }[] };
      expect(errors.map((error) => error.message)).toEqual(['No people here.', 'Too late.']);
    }
  });

  it('propagates a forbidden null to the nearest nullable parent, at the root too', async () => {
    const root = await sendThrice({ query: '{ strictWidget(id: "w4") { id ratingStrict } }' });
    expect(root.body.data).toBeNull();
    const inList = await sendThrice({ query: '{ matrix { id ratingStrict } }' });
    expect(inList.body.data.matrix).toEqual([
      [{ id: 'w1', ratingStrict: 2 }, null, null],
      [{ id: 'w2', ratingStrict: 2 }],
      [],
    ]);
  });
});

/**
 * With subgraph beta down, both paths answer every base query alike: partial data and
 * SUBGRAPH_UNAVAILABLE naming beta — while its connections are refused, and while its circuit
 * breaker is open and fetches fail fast. Each on a gateway of its own (no retries; a breaker that
 * never opens, or one that opened at the first failure and stays open), so every answer is
 * deterministic. Last: beta stays stopped.
 */
describe.each([
  [
    'connections refused',
    { failures: 1_000_000, windowMs: 30_000, openMs: 30_000 },
    'Subgraph beta is unreachable.',
  ],
  [
    'its circuit breaker open',
    { failures: 1, windowMs: 30_000, openMs: 600_000 },
    'Subgraph beta is unavailable: its circuit breaker is open after repeated failures.',
  ],
])('with subgraph beta down, %s', (_state, breaker, message) => {
  let shared: Running<Gateway>;
  beforeAll(async () => {
    await subgraphs.stopOne('beta');
    shared = gateway;
    gateway = await startGateway(
      testGatewayConfig({
        supergraphPath: subgraphs.writeSupergraph(),
        subgraphResilience: { breaker, retry: { attempts: 1, budgetMs: 0 } },
      }),
    );
    // Brings an opening breaker to its steady state before the first case.
    await send({ query: '{ wilds { id rating } }' });
  });
  afterAll(async () => {
    await gateway.stop();
    gateway = shared;
  });

  it('answers the fields of the other subgraphs and names beta', async () => {
    const { body } = await sendThrice({ query: '{ widgets { id name rating } }' });
    expect(body.data.widgets[0]).toEqual({ id: 'w1', name: 'Anvil', rating: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'beta' },
      }),
    ]);
  });

  it.each(BASE_QUERIES)('%s', async (query) => {
    await sendThrice({ query });
  });
});
