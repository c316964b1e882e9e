/**
 * The deployments subgraph end to end through the gateway, on real PostgreSQL and Redis, with
 * the real users and nodes subgraphs: the lifecycle from queue to success, concurrent claims,
 * the state machine, rollbacks, stats, events on Redis, authorization and organization
 * isolation.
 */
import {
  CANCEL,
  claim,
  createDeployment,
  CREATE,
  EVENTS,
  listenToDeploymentEvents,
  REPORT,
  report,
  ROLLBACK,
  runToEnd,
  stats,
  STATS,
} from './support/deployments';
import { errorCodes, graphql } from './support/graphql';
import { authenticateNode, registerNode, waitFor } from './support/nodes';
import { addUser, signUp, type SignedIn } from './support/seed';
import { startStack, type Stack } from './support/stack';

let stack: Stack;
let url: string;

beforeAll(async () => {
  stack = await startStack({ subgraphs: ['users', 'nodes', 'deployments'] });
  url = stack.gatewayUrl;
});
afterAll(() => stack?.stop());

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

interface Org {
  admin: SignedIn;
  developer: SignedIn;
  viewer: SignedIn;
  nodeId: string;
  /** The node agent's headers (a node token). */
  agent: Record<string, string>;
}

/** An organization with a developer, a viewer and one registered, authenticated node. */
async function organization(): Promise<Org> {
  const admin = await signUp(url);
  const developer = await addUser(url, admin, 'DEVELOPER');
  const viewer = await addUser(url, admin, 'VIEWER');
  const registered = await registerNode(url, admin);
  const session = await authenticateNode(url, registered);
  return { admin, developer, viewer, nodeId: registered.node.id, agent: session.headers };
}

/** Another authenticated node of the organization. */
async function addNode(org: Org) {
  const registered = await registerNode(url, org.admin);
  const session = await authenticateNode(url, registered);
  return { nodeId: registered.node.id, agent: session.headers };
}

const events = async (org: Org, id: string, args: Record<string, unknown> = { first: 50 }) => {
  const response = await graphql(url, EVENTS, { id, ...args }, org.viewer.headers);
  expect(response.errors).toBeUndefined();
  return response.data!.deployment.events;
};

const eventSummaries = async (org: Org, id: string) =>
  (await events(org, id)).edges.map(
    ({ node }: { node: Record<string, string | null> }) =>
      `${node.type} ${node.status ?? '-'} ${node.level} ${node.message}`,
  );

describe('lifecycle', () => {
  it('queues, is claimed, reports logs and succeeds, with every change on Redis', async () => {
    const org = await organization();
    const listener = await listenToDeploymentEvents(
      stack.shared.base.redisUrl,
      stack.shared.base.redisPrefix,
    );
    try {
      const created = await createDeployment(url, org.developer.headers, {
        nodeId: org.nodeId,
        application: 'billing-api',
        version: '1.4.2',
        environment: 'production',
      });
      expect(created).toEqual({
        id: expect.any(String),
        application: 'billing-api',
        version: '1.4.2',
        environment: 'production',
        status: 'QUEUED',
        createdAt: ISO,
        startedAt: null,
        finishedAt: null,
        node: { id: org.nodeId },
        triggeredBy: { id: org.developer.user.id },
        rollbackOf: null,
      });

      // The node and the user come from their own subgraphs through the gateway.
      const read = await graphql(
        url,
        `
          query ($id: ID!) {
            deployment(id: $id) {
              id
              status
              node {
                id
                name
                region
                status
              }
              triggeredBy {
                id
                username
              }
            }
          }
        `,
        { id: created.id },
        org.viewer.headers,
      );
      expect(read.errors).toBeUndefined();
      expect(read.data?.deployment).toEqual({
        id: created.id,
        status: 'QUEUED',
        node: { id: org.nodeId, name: expect.any(String), region: 'eu-west-1', status: 'PENDING' },
        triggeredBy: { id: org.developer.user.id, username: org.developer.user.username },
      });

      const claimed = await claim(url, org.agent);
      expect(claimed).toMatchObject({ id: created.id, status: 'RUNNING', startedAt: ISO });
      expect(await claim(url, org.agent)).toBeNull();

      const progressing = await report(url, org.agent, {
        deploymentId: created.id,
        logs: [
          { level: 'INFO', message: 'Pulling image billing-api:1.4.2' },
          { message: 'Starting' },
        ],
      });
      expect(progressing).toMatchObject({ status: 'RUNNING', finishedAt: null });
      // Reporting the current status again only appends the logs.
      await report(url, org.agent, {
        deploymentId: created.id,
        status: 'RUNNING',
        logs: [{ level: 'WARN', message: 'Health check slow' }],
      });
      const done = await report(url, org.agent, {
        deploymentId: created.id,
        status: 'SUCCEEDED',
        logs: [{ level: 'INFO', message: 'Health check passed' }],
      });
      expect(done).toMatchObject({ status: 'SUCCEEDED', startedAt: ISO, finishedAt: ISO });

      expect(await eventSummaries(org, created.id)).toEqual([
        'STATUS_CHANGED QUEUED INFO Queued billing-api 1.4.2 for production.',
        'STATUS_CHANGED RUNNING INFO Claimed by the node agent.',
        'LOG - INFO Pulling image billing-api:1.4.2',
        'LOG - INFO Starting',
        'LOG - WARN Health check slow',
        'LOG - INFO Health check passed',
        'STATUS_CHANGED SUCCEEDED INFO Status changed from RUNNING to SUCCEEDED.',
      ]);
      const all = await events(org, created.id);
      expect(all.edges[0]).toEqual({
        cursor: all.edges[0].node.cursor,
        node: {
          id: expect.any(String),
          cursor: expect.any(String),
          deploymentId: created.id,
          type: 'STATUS_CHANGED',
          status: 'QUEUED',
          level: 'INFO',
          message: 'Queued billing-api 1.4.2 for production.',
          createdAt: ISO,
        },
      });

      await waitFor(() => listener.appended.length >= 7 && listener.updated.length >= 3);
      expect(listener.updated.map((e) => `${e.previousStatus ?? '∅'}→${e.status}`)).toEqual([
        '∅→QUEUED',
        'QUEUED→RUNNING',
        'RUNNING→SUCCEEDED',
      ]);
      expect(listener.updated[2]).toEqual({
        id: created.id,
        organizationId: org.admin.user.organization.id,
        nodeId: org.nodeId,
        application: 'billing-api',
        version: '1.4.2',
        environment: 'production',
        status: 'SUCCEEDED',
        previousStatus: 'RUNNING',
        triggeredBy: org.developer.user.id,
        rollbackOf: null,
        // Its place in the organization's change stream (stored for deploymentUpdated(after)).
        position: expect.any(Number),
        changeCursor: expect.any(String),
        createdAt: created.createdAt,
        startedAt: claimed!.startedAt,
        finishedAt: done.finishedAt,
      });
      expect(listener.appended.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(listener.appended[2]).toEqual({
        id: all.edges[2].node.id,
        organizationId: org.admin.user.organization.id,
        nodeId: org.nodeId,
        deploymentId: created.id,
        sequence: 3,
        cursor: all.edges[2].cursor,
        type: 'LOG',
        status: null,
        level: 'INFO',
        message: 'Pulling image billing-api:1.4.2',
        createdAt: all.edges[2].node.createdAt,
      });
    } finally {
      await listener.close();
    }
  });

  it('pages events forward from a cursor and from the latest end', async () => {
    const org = await organization();
    const { id } = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await claim(url, org.agent);
    await report(url, org.agent, {
      deploymentId: id,
      logs: ['one', 'two', 'three', 'four'].map((message) => ({ message })),
    });
    const all = await events(org, id);
    expect(all.edges).toHaveLength(6);
    const cursors = all.edges.map((edge: { cursor: string }) => edge.cursor);

    const page = await events(org, id, { first: 2, after: cursors[1] });
    expect(page.edges.map((e: any) => e.node.message)).toEqual(['one', 'two']);
    expect(page.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: true,
      startCursor: cursors[2],
      endCursor: cursors[3],
    });
    const latest = await events(org, id, { last: 2 });
    expect(latest.edges.map((e: any) => e.node.message)).toEqual(['three', 'four']);
    expect(latest.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: cursors[4],
      endCursor: cursors[5],
    });
    // Resuming after the last cursor seen yields exactly what came later.
    const resumed = await events(org, id, { after: cursors[5] });
    expect(resumed.edges).toEqual([]);
    await report(url, org.agent, { deploymentId: id, logs: [{ message: 'five' }] });
    const next = await events(org, id, { after: cursors[5] });
    expect(next.edges.map((e: any) => e.node.message)).toEqual(['five']);

    const both = await graphql(url, EVENTS, { id, first: 1, last: 1 }, org.viewer.headers);
    expect(errorCodes(both)).toEqual(['BAD_USER_INPUT']);
    const forged = await graphql(url, EVENTS, { id, after: 'bm9wZQ' }, org.viewer.headers);
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    const fractional = Buffer.from(JSON.stringify(['v1', 1.5])).toString('base64url');
    const odd = await graphql(url, EVENTS, { id, after: fractional }, org.viewer.headers);
    expect(errorCodes(odd)).toEqual(['BAD_USER_INPUT']);
  });

  it('hands each queued deployment to exactly one of many agents claiming at once', async () => {
    const org = await organization();
    // A second agent process of the same node, with its own token.
    const registered = await registerNode(url, org.admin);
    const first = await authenticateNode(url, registered);
    const second = await authenticateNode(url, registered);
    const queued = await Promise.all(
      ['api', 'web', 'worker'].map((application) =>
        createDeployment(url, org.developer.headers, { nodeId: registered.node.id, application }),
      ),
    );
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claim(url, (i % 2 ? first : second).headers)),
    );
    const claimed = claims.filter((c) => c !== null).map((c) => c!.id);
    expect(claimed.sort()).toEqual(queued.map((d) => d.id).sort());
  });

  it('runs at most one deployment of an application per node, even when claims race', async () => {
    const org = await organization();
    const other = await addNode(org);
    const a1 = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    const a2 = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    const elsewhere = await createDeployment(url, org.developer.headers, {
      nodeId: other.nodeId,
    });

    const claims = await Promise.all(Array.from({ length: 6 }, () => claim(url, org.agent)));
    expect(claims.filter((c) => c !== null).map((c) => c!.id)).toEqual([a1.id]);
    // The same application runs on another node meanwhile.
    expect(await claim(url, other.agent)).toMatchObject({ id: elsewhere.id, status: 'RUNNING' });

    // Starting the second one by report is refused by the database's guarantee.
    const second = await graphql(
      url,
      REPORT,
      { input: { deploymentId: a2.id, status: 'RUNNING' } },
      org.agent,
    );
    expect(errorCodes(second)).toEqual(['CONFLICT']);
    expect(second.errors?.[0]?.message).toMatch(/already RUNNING/);

    await report(url, org.agent, { deploymentId: a1.id, status: 'SUCCEEDED' });
    expect(await claim(url, org.agent)).toMatchObject({ id: a2.id, status: 'RUNNING' });
  });

  it('refuses illegal transitions with CONFLICT naming both states', async () => {
    const org = await organization();
    const attempt = async (deploymentId: string, status: string) => {
      const response = await graphql(url, REPORT, { input: { deploymentId, status } }, org.agent);
      expect(errorCodes(response)).toEqual(['CONFLICT']);
      return response.errors![0]!.extensions;
    };
    const queued = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    expect(await attempt(queued.id, 'SUCCEEDED')).toEqual({
      code: 'CONFLICT',
      from: 'QUEUED',
      to: 'SUCCEEDED',
      serviceName: 'deployments',
    });

    const failed = await runToEnd(url, org.agent, queued.id, 'FAILED');
    expect(failed.status).toBe('FAILED');
    expect(await attempt(queued.id, 'RUNNING')).toMatchObject({ from: 'FAILED', to: 'RUNNING' });
    const cancelFailed = await graphql(url, CANCEL, { id: queued.id }, org.developer.headers);
    expect(errorCodes(cancelFailed)).toEqual(['CONFLICT']);
    expect(cancelFailed.errors?.[0]?.extensions).toMatchObject({ from: 'FAILED', to: 'CANCELLED' });

    const succeeded = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await runToEnd(url, org.agent, succeeded.id);
    // ROLLED_BACK follows a successful rollback; nobody may set it.
    expect(await attempt(succeeded.id, 'ROLLED_BACK')).toMatchObject({
      from: 'SUCCEEDED',
      to: 'ROLLED_BACK',
    });

    // A user cancels a running deployment; the agent's late success is refused.
    const running = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await claim(url, org.agent);
    const cancelled = await graphql(url, CANCEL, { id: running.id }, org.developer.headers);
    expect(cancelled.data?.cancelDeployment).toMatchObject({
      status: 'CANCELLED',
      finishedAt: ISO,
    });
    expect(await attempt(running.id, 'SUCCEEDED')).toMatchObject({
      from: 'CANCELLED',
      to: 'SUCCEEDED',
    });
    expect((await eventSummaries(org, running.id)).at(-1)).toBe(
      'STATUS_CHANGED CANCELLED WARN Cancelled by a user.',
    );

    // A queued one can be cancelled too, and is then never claimed.
    const unclaimed = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    const out = await graphql(url, CANCEL, { id: unclaimed.id }, org.developer.headers);
    expect(out.data?.cancelDeployment).toMatchObject({ status: 'CANCELLED', startedAt: null });
    expect(await claim(url, org.agent)).toBeNull();
  });

  it('rolls back to the previous successful version, which marks the original ROLLED_BACK', async () => {
    const org = await organization();
    const deploy = async (version: string, status = 'SUCCEEDED') => {
      const created = await createDeployment(url, org.developer.headers, {
        nodeId: org.nodeId,
        version,
      });
      return runToEnd(url, org.agent, created.id, status);
    };
    const v1 = await deploy('1.0.0');
    const v2Failed = await deploy('2.0.0', 'FAILED');
    const v2 = await deploy('2.0.1');

    const firstOne = await graphql(url, ROLLBACK, { id: v1.id }, org.developer.headers);
    expect(errorCodes(firstOne)).toEqual(['CONFLICT']);
    expect(firstOne.errors?.[0]?.message).toMatch(/No earlier successful version/);
    const ofFailed = await graphql(url, ROLLBACK, { id: v2Failed.id }, org.developer.headers);
    expect(errorCodes(ofFailed)).toEqual(['CONFLICT']);

    const rollback = await graphql(url, ROLLBACK, { id: v2.id }, org.developer.headers);
    expect(rollback.errors).toBeUndefined();
    const queued = rollback.data!.rollbackDeployment;
    expect(queued).toEqual({
      id: expect.any(String),
      application: 'billing-api',
      version: '1.0.0',
      environment: 'production',
      status: 'QUEUED',
      createdAt: ISO,
      startedAt: null,
      finishedAt: null,
      node: { id: org.nodeId },
      triggeredBy: { id: org.developer.user.id },
      rollbackOf: { id: v2.id },
    });
    const again = await graphql(url, ROLLBACK, { id: v2.id }, org.developer.headers);
    expect(errorCodes(again)).toEqual(['CONFLICT']);
    expect(again.errors?.[0]?.extensions).toMatchObject({ deploymentId: queued.id });

    await runToEnd(url, org.agent, queued.id);
    const original = await graphql(
      url,
      `
        query ($id: ID!) {
          deployment(id: $id) {
            status
            finishedAt
          }
        }
      `,
      { id: v2.id },
      org.viewer.headers,
    );
    expect(original.data?.deployment).toEqual({ status: 'ROLLED_BACK', finishedAt: v2.finishedAt });
    expect((await eventSummaries(org, v2.id)).at(-1)).toBe(
      `STATUS_CHANGED ROLLED_BACK WARN Rolled back to 1.0.0 by deployment ${queued.id}.`,
    );
    expect(await stats(url, org.viewer.headers)).toEqual({
      queued: 0,
      running: 0,
      succeeded: 2,
      failed: 1,
      cancelled: 0,
      rolledBack: 1,
    });
    // A ROLLED_BACK deployment cannot be rolled back again.
    const twice = await graphql(url, ROLLBACK, { id: v2.id }, org.developer.headers);
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
  });

  it('keeps a failed rollback from touching the original', async () => {
    const org = await organization();
    for (const version of ['1', '2']) {
      const created = await createDeployment(url, org.developer.headers, {
        nodeId: org.nodeId,
        version,
      });
      await runToEnd(url, org.agent, created.id);
    }
    const list = await graphql(
      url,
      `
        {
          deployments(first: 1) {
            edges {
              node {
                id
              }
            }
          }
        }
      `,
      {},
      org.viewer.headers,
    );
    const latest = list.data!.deployments.edges[0].node.id;
    const rollback = await graphql(url, ROLLBACK, { id: latest }, org.developer.headers);
    await runToEnd(url, org.agent, rollback.data!.rollbackDeployment.id, 'FAILED');
    const original = await graphql(
      url,
      `
        query ($id: ID!) {
          deployment(id: $id) {
            status
          }
        }
      `,
      { id: latest },
      org.viewer.headers,
    );
    expect(original.data?.deployment).toEqual({ status: 'SUCCEEDED' });
    // It may be rolled back again.
    const retry = await graphql(url, ROLLBACK, { id: latest }, org.developer.headers);
    expect(retry.data?.rollbackDeployment).toMatchObject({ status: 'QUEUED', version: '1' });
  });
});

describe('deploymentStats', () => {
  it('is correct after every change, served from the cache in between', async () => {
    const org = await organization();
    const deployments = stack.subgraphs.deployments!.service;
    const expectStats = async (expected: Record<string, number>) =>
      expect(await stats(url, org.viewer.headers)).toEqual({
        queued: 0,
        running: 0,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        rolledBack: 0,
        ...expected,
      });

    await expectStats({});
    const before = deployments.statementCount();
    await expectStats({});
    expect(deployments.statementCount()).toBe(before);

    const a = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await expectStats({ queued: 1 });
    const b = await createDeployment(url, org.developer.headers, {
      nodeId: org.nodeId,
      application: 'web',
    });
    await expectStats({ queued: 2 });
    await claim(url, org.agent);
    await expectStats({ queued: 1, running: 1 });
    await report(url, org.agent, { deploymentId: a.id, status: 'SUCCEEDED' });
    await expectStats({ queued: 1, succeeded: 1 });
    await graphql(url, CANCEL, { id: b.id }, org.developer.headers);
    await expectStats({ succeeded: 1, cancelled: 1 });
    const c = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await runToEnd(url, org.agent, c.id, 'FAILED');
    await expectStats({ succeeded: 1, cancelled: 1, failed: 1 });
    // Logs alone change no count.
    await report(url, org.agent, { deploymentId: c.id, logs: [{ message: 'post-mortem' }] });
    const cached = deployments.statementCount();
    await expectStats({ succeeded: 1, cancelled: 1, failed: 1 });
    expect(deployments.statementCount()).toBe(cached);

    // Another organization's counts are its own.
    const other = await organization();
    expect(await stats(url, other.viewer.headers)).toMatchObject({ succeeded: 0, failed: 0 });
  });
});

describe('queries', () => {
  it('lists newest first with filters and cursors, and contributes Node and User deployments', async () => {
    const org = await organization();
    const other = await addNode(org);
    const created = [];
    for (const [i, nodeId] of [org.nodeId, other.nodeId, org.nodeId, other.nodeId].entries()) {
      created.push(
        await createDeployment(url, (i < 2 ? org.developer : org.admin).headers, {
          nodeId,
          application: i % 2 ? 'web' : 'api',
          environment: i < 3 ? 'production' : 'staging',
        }),
      );
    }
    await claim(url, org.agent); // the oldest on the first node: created[0]
    const ids = (response: any) => response.data.deployments.edges.map((e: any) => e.node.id);
    const list = async (variables: Record<string, unknown>) => {
      const response = await graphql(
        url,
        `
          query ($filter: DeploymentFilter, $first: Int, $after: String) {
            deployments(filter: $filter, first: $first, after: $after) {
              edges {
                cursor
                node {
                  id
                }
              }
              pageInfo {
                hasNextPage
                hasPreviousPage
                endCursor
              }
            }
          }
        `,
        variables,
        org.viewer.headers,
      );
      expect(response.errors).toBeUndefined();
      return response;
    };
    const newestFirst = [...created].reverse().map((d) => d.id);
    expect(ids(await list({}))).toEqual(newestFirst);

    const first = await list({ first: 3 });
    expect(ids(first)).toEqual(newestFirst.slice(0, 3));
    expect(first.data!.deployments.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
    });
    const rest = await list({ first: 3, after: first.data!.deployments.pageInfo.endCursor });
    expect(ids(rest)).toEqual(newestFirst.slice(3));
    expect(rest.data!.deployments.pageInfo).toMatchObject({ hasNextPage: false });

    const d = created.map((c) => c.id);
    expect(ids(await list({ filter: { status: 'RUNNING' } }))).toEqual([d[0]]);
    expect(ids(await list({ filter: { nodeId: other.nodeId } }))).toEqual([d[3], d[1]]);
    expect(ids(await list({ filter: { application: 'api' } }))).toEqual([d[2], d[0]]);
    expect(ids(await list({ filter: { environment: 'staging' } }))).toEqual([d[3]]);
    expect(ids(await list({ filter: { nodeId: 'not-an-id' } }))).toEqual([]);
    expect(
      ids(await list({ filter: { nodeId: org.nodeId, status: 'QUEUED', application: 'api' } })),
    ).toEqual([d[2]]);

    const node = await graphql(
      url,
      `
        query ($id: ID!) {
          node(id: $id) {
            name
            deployments(first: 5) {
              edges {
                node {
                  id
                }
              }
            }
            queued: deployments(status: QUEUED) {
              edges {
                node {
                  id
                }
              }
            }
          }
        }
      `,
      { id: org.nodeId },
      org.viewer.headers,
    );
    expect(node.errors).toBeUndefined();
    expect(node.data!.node.deployments.edges.map((e: any) => e.node.id)).toEqual([d[2], d[0]]);
    expect(node.data!.node.queued.edges.map((e: any) => e.node.id)).toEqual([d[2]]);

    const me = await graphql(
      url,
      `
        {
          me {
            username
            deployments {
              edges {
                node {
                  id
                  triggeredBy {
                    username
                  }
                }
              }
            }
          }
        }
      `,
      {},
      org.developer.headers,
    );
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.deployments.edges).toEqual(
      [d[1], d[0]].map((id) => ({
        node: { id, triggeredBy: { username: org.developer.user.username } },
      })),
    );
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, never a server error', async () => {
    const org = await organization();
    const create = (input: Record<string, unknown>) =>
      graphql(
        url,
        CREATE,
        {
          input: {
            nodeId: org.nodeId,
            application: 'api',
            version: '1',
            environment: 'prod',
            ...input,
          },
        },
        org.developer.headers,
      );
    for (const [field, value] of [
      ['application', 'two words'],
      ['version', ''],
      ['environment', 'x'.repeat(101)],
      ['application', 'nul\u0000byte'],
    ] as const) {
      const response = await create({ [field]: value });
      expect(response.errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        field,
        serviceName: 'deployments',
      });
    }
    const { id } = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await claim(url, org.agent);
    const tooMany = await graphql(
      url,
      REPORT,
      { input: { deploymentId: id, logs: Array.from({ length: 501 }, () => ({ message: 'x' })) } },
      org.agent,
    );
    expect(tooMany.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'logs',
      serviceName: 'deployments',
    });
    const nul = await graphql(
      url,
      REPORT,
      { input: { deploymentId: id, logs: [{ message: 'ok' }, { message: 'a\u0000b' }] } },
      org.agent,
    );
    expect(nul.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'logs.1.message',
      serviceName: 'deployments',
    });
    // Nothing of a refused report was kept.
    expect(await eventSummaries(org, id)).toHaveLength(2);

    const list = (variables: Record<string, unknown>) =>
      graphql(
        url,
        `
          query ($filter: DeploymentFilter, $first: Int, $after: String) {
            deployments(filter: $filter, first: $first, after: $after) {
              edges {
                node {
                  id
                }
              }
            }
          }
        `,
        variables,
        org.viewer.headers,
      );
    const forgedCursors = [
      'garbage',
      Buffer.from(JSON.stringify(['v1', 'not a date', 'x'])).toString('base64url'),
      Buffer.from(JSON.stringify(['v1', '-200000-01-01T00:00:00.000Z', id])).toString('base64url'),
      Buffer.from(JSON.stringify(['v1', new Date().toISOString(), 'not-a-uuid'])).toString(
        'base64url',
      ),
    ];
    for (const after of forgedCursors) {
      expect(errorCodes(await list({ after }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(errorCodes(await list({ first: 501 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await list({ first: -1 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await list({ filter: { application: 'a\u0000' } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    for (const query of [
      `{ deployment(id: "nope") { id } }`,
      `{ deployment(id: "00000000-0000-4000-8000-000000000000") { id } }`,
    ]) {
      expect(errorCodes(await graphql(url, query, {}, org.viewer.headers))).toEqual(['NOT_FOUND']);
    }
    for (const mutation of [CANCEL, ROLLBACK]) {
      const response = await graphql(url, mutation, { id: 'nope' }, org.developer.headers);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
    }
    const unknownNode = await create({ nodeId: '00000000-0000-4000-8000-000000000000' });
    expect(errorCodes(unknownNode)).toEqual(['NOT_FOUND']);
    expect(errorCodes(await create({ nodeId: 'nope' }))).toEqual(['NOT_FOUND']);
    const reportUnknown = await graphql(
      url,
      REPORT,
      { input: { deploymentId: 'nope', logs: [] } },
      org.agent,
    );
    expect(errorCodes(reportUnknown)).toEqual(['NOT_FOUND']);
  });
});

describe('authorization', () => {
  it('requires a user for user operations, a node token for agent operations, and roles', async () => {
    const org = await organization();
    const { id } = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    const reportInput = { input: { deploymentId: id, logs: [{ message: 'x' }] } };
    const createInput = {
      input: { nodeId: org.nodeId, application: 'a', version: '1', environment: 'e' },
    };
    const userOperations: [string, Record<string, unknown>][] = [
      [`query ($id: ID!) { deployment(id: $id) { id } }`, { id }],
      [`{ deployments { edges { node { id } } } }`, {}],
      [STATS, {}],
      [CREATE, createInput],
      [CANCEL, { id }],
      [ROLLBACK, { id }],
    ];
    const agentOperations: [string, Record<string, unknown>][] = [
      [`mutation { claimDeployment { id } }`, {}],
      [REPORT, reportInput],
    ];
    for (const [query, variables] of [...userOperations, ...agentOperations]) {
      expect(errorCodes(await graphql(url, query, variables))).toEqual(['UNAUTHENTICATED']);
    }
    for (const [query, variables] of userOperations) {
      expect(errorCodes(await graphql(url, query, variables, org.agent))).toEqual(['FORBIDDEN']);
    }
    for (const [query, variables] of agentOperations) {
      expect(errorCodes(await graphql(url, query, variables, org.admin.headers))).toEqual([
        'FORBIDDEN',
      ]);
    }
    // A VIEWER reads but does not deploy.
    expect(errorCodes(await graphql(url, STATS, {}, org.viewer.headers))).toEqual([]);
    for (const [query, variables] of userOperations.slice(3)) {
      expect(errorCodes(await graphql(url, query, variables, org.viewer.headers))).toEqual([
        'FORBIDDEN',
      ]);
    }
  });

  it('refuses to deploy to a decommissioned node', async () => {
    const org = await organization();
    const doomed = await addNode(org);
    const queued = await createDeployment(url, org.developer.headers, { nodeId: doomed.nodeId });
    const out = await graphql(
      url,
      `
        mutation ($id: ID!) {
          decommissionNode(id: $id) {
            status
          }
        }
      `,
      { id: doomed.nodeId },
      org.admin.headers,
    );
    expect(out.data?.decommissionNode).toEqual({ status: 'DECOMMISSIONED' });
    const refused = await graphql(
      url,
      CREATE,
      { input: { nodeId: doomed.nodeId, application: 'a', version: '1', environment: 'e' } },
      org.developer.headers,
    );
    expect(errorCodes(refused)).toEqual(['CONFLICT']);
    expect(refused.errors?.[0]?.message).toMatch(/decommissioned/);
    // What was queued before stays visible, cancelled (test/deployments-leases.test.ts).
    const status = async () =>
      (
        await graphql(
          url,
          'query ($id: ID!) { deployment(id: $id) { status } }',
          queued,
          org.developer.headers,
        )
      ).data?.deployment?.status;
    await waitFor(async () => (await status()) === 'CANCELLED');
  });
});

describe('organization isolation', () => {
  it("hides other organizations' deployments, nodes and agents from every operation", async () => {
    const acme = await organization();
    const globex = await organization();
    const acmeDeployment = await createDeployment(url, acme.developer.headers, {
      nodeId: acme.nodeId,
    });
    const acmeSucceeded = await createDeployment(url, acme.developer.headers, {
      nodeId: acme.nodeId,
      application: 'web',
    });
    await claim(url, acme.agent); // acmeDeployment
    await claim(url, acme.agent); // acmeSucceeded
    await report(url, acme.agent, { deploymentId: acmeSucceeded.id, status: 'SUCCEEDED' });
    const globexDeployment = await createDeployment(url, globex.developer.headers, {
      nodeId: globex.nodeId,
    });

    // Globex cannot deploy to Acme's node: it does not exist for them.
    const foreignNode = await graphql(
      url,
      CREATE,
      { input: { nodeId: acme.nodeId, application: 'a', version: '1', environment: 'e' } },
      globex.developer.headers,
    );
    expect(errorCodes(foreignNode)).toEqual(['NOT_FOUND']);

    // Reads and user mutations on Acme's ids: NOT_FOUND.
    for (const [query, id] of [
      [`query ($id: ID!) { deployment(id: $id) { id } }`, acmeDeployment.id],
      [CANCEL, acmeDeployment.id],
      [ROLLBACK, acmeSucceeded.id],
    ] as const) {
      expect(errorCodes(await graphql(url, query, { id }, globex.admin.headers))).toEqual([
        'NOT_FOUND',
      ]);
    }
    // Lists and stats hold only Globex's own.
    const list = await graphql(
      url,
      `
        query ($nodeId: ID) {
          all: deployments(first: 100) {
            edges {
              node {
                id
              }
            }
          }
          onAcmeNode: deployments(filter: { nodeId: $nodeId }) {
            edges {
              node {
                id
              }
            }
          }
        }
      `,
      { nodeId: acme.nodeId },
      globex.viewer.headers,
    );
    expect(list.data).toEqual({
      all: { edges: [{ node: { id: globexDeployment.id } }] },
      onAcmeNode: { edges: [] },
    });
    expect(await stats(url, globex.viewer.headers)).toMatchObject({ queued: 1, running: 0 });

    // Globex's agent neither claims nor reports on Acme's deployments.
    expect(await claim(url, globex.agent)).toMatchObject({ id: globexDeployment.id });
    expect(await claim(url, globex.agent)).toBeNull();
    const foreignReport = await graphql(
      url,
      REPORT,
      { input: { deploymentId: acmeDeployment.id, status: 'FAILED' } },
      globex.agent,
    );
    expect(errorCodes(foreignReport)).toEqual(['NOT_FOUND']);
    // Nor does another node's agent of the same organization.
    const sibling = await addNode(acme);
    const siblingReport = await graphql(
      url,
      REPORT,
      { input: { deploymentId: acmeDeployment.id, logs: [{ message: 'x' }] } },
      sibling.agent,
    );
    expect(errorCodes(siblingReport)).toEqual(['NOT_FOUND']);

    // Straight to the subgraph (zero trust): entity references give Globex nothing of Acme's.
    const entities = await graphql(
      stack.subgraphs.deployments!.url,
      `
        query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Deployment {
              id
              status
            }
            ... on Node {
              deployments {
                edges {
                  node {
                    id
                  }
                }
              }
            }
            ... on User {
              deployments {
                edges {
                  node {
                    id
                  }
                }
              }
            }
          }
        }
      `,
      {
        representations: [
          { __typename: 'Deployment', id: acmeDeployment.id },
          { __typename: 'Node', id: acme.nodeId },
          { __typename: 'User', id: acme.developer.user.id },
          { __typename: 'Node', id: 'not-a-uuid' },
        ],
      },
      globex.admin.headers,
    );
    expect(entities.errors).toBeUndefined();
    expect(entities.data?._entities).toEqual([
      null,
      { deployments: { edges: [] } },
      { deployments: { edges: [] } },
      { deployments: { edges: [] } },
    ]);
    const anonymous = await graphql(
      stack.subgraphs.deployments!.url,
      `
        query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Deployment {
              id
            }
          }
        }
      `,
      { representations: [{ __typename: 'Deployment', id: acmeDeployment.id }] },
    );
    expect(anonymous.data?._entities).toEqual([null]);
  });
});
