/**
 * The deployments subgraph end to end through the gateway, on real PostgreSQL and Redis, with
 * the real users and nodes subgraphs: cached stats, lists with filters and cursors, the Node and User
 * deployments it contributes, and refused input.
 */
import {
  CANCEL,
  claim,
  createDeployment,
  report,
  ROLLBACK,
  runToEnd,
  stats,
} from './support/deployments';
import { deploymentsSuite } from './support/deployments-suite';
import {
  CancelDeploymentDocument,
  CreateDeploymentDocument,
  ReportDeploymentProgressDocument,
} from './__generated__/graphql';
import { errorCodes, graphql } from './support/graphql';
import type { Stack } from './support/stack';

let stack: Stack;
let url: string;
const { organization, addNode, eventSummaries } = deploymentsSuite((started) => {
  stack = started;
  url = started.gatewayUrl;
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
    // From the cache: one statement reads the change-record head, none counts.
    const before = deployments.statementCount();
    await expectStats({});
    expect(deployments.statementCount()).toBe(before + 1);

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
    await graphql(url, CancelDeploymentDocument, { id: b.id }, org.developer.headers);
    await expectStats({ succeeded: 1, cancelled: 1 });
    const c = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await runToEnd(url, org.agent, c.id, 'FAILED');
    await expectStats({ succeeded: 1, cancelled: 1, failed: 1 });
    // Logs alone change no count.
    const d = await createDeployment(url, org.developer.headers, { nodeId: org.nodeId });
    await claim(url, org.agent);
    await expectStats({ succeeded: 1, cancelled: 1, failed: 1, running: 1 });
    await report(url, org.agent, { deploymentId: d.id, logs: [{ message: 'progress' }] });
    const cached = deployments.statementCount();
    await expectStats({ succeeded: 1, cancelled: 1, failed: 1, running: 1 });
    expect(deployments.statementCount()).toBe(cached + 1);

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
    // Exact matches: what no deployment can be named (names are stored trimmed) finds none.
    for (const filter of [
      { application: ' api ' },
      { application: 'api\n' },
      { environment: '\u00a0staging' },
      { environment: 'stag ing' },
      { application: 'a'.repeat(101) },
    ])
      expect(ids(await list({ filter }))).toEqual([]);
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
        CreateDeploymentDocument,
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
      ReportDeploymentProgressDocument,
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
      ReportDeploymentProgressDocument,
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
      ReportDeploymentProgressDocument,
      { input: { deploymentId: 'nope', logs: [] } },
      org.agent,
    );
    expect(errorCodes(reportUnknown)).toEqual(['NOT_FOUND']);
  });
});
