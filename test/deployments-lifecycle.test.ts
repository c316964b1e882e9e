/**
 * The deployments subgraph end to end through the gateway, on real PostgreSQL and Redis, with
 * the real users and nodes subgraphs: the lifecycle from queue to success with every change on Redis, paged
 * events, and rollbacks.
 */
import {
  claim,
  createDeployment,
  listenToDeploymentEvents,
  report,
  runToEnd,
  stats,
} from './support/deployments';
import { deploymentsSuite } from './support/deployments-suite';
import {
  CreateDeploymentDocument,
  DeploymentEventsDocument,
  RollbackDeploymentDocument,
  type DeploymentStatus,
} from './__generated__/graphql';
import { errorCodes, graphql } from './support/graphql';
import { waitFor } from './support/nodes';
import type { Stack } from './support/stack';

let stack: Stack;
let url: string;
const { organization, events, eventSummaries, ISO } = deploymentsSuite((started) => {
  stack = started;
  url = started.gatewayUrl;
});

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
        cursor: all.edges[0]!.node.cursor,
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
        id: all.edges[2]!.node.id,
        organizationId: org.admin.user.organization.id,
        nodeId: org.nodeId,
        deploymentId: created.id,
        sequence: 3,
        cursor: all.edges[2]!.cursor,
        type: 'LOG',
        status: null,
        level: 'INFO',
        message: 'Pulling image billing-api:1.4.2',
        createdAt: all.edges[2]!.node.createdAt,
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

    const both = await graphql(
      url,
      DeploymentEventsDocument,
      { id, first: 1, last: 1 },
      org.viewer.headers,
    );
    expect(errorCodes(both)).toEqual(['BAD_USER_INPUT']);
    const forged = await graphql(
      url,
      DeploymentEventsDocument,
      { id, after: 'bm9wZQ' },
      org.viewer.headers,
    );
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    const fractional = Buffer.from(JSON.stringify(['v1', 1.5])).toString('base64url');
    const odd = await graphql(
      url,
      DeploymentEventsDocument,
      { id, after: fractional },
      org.viewer.headers,
    );
    expect(errorCodes(odd)).toEqual(['BAD_USER_INPUT']);
  });

  it('rolls back to the previous successful version, which marks the original ROLLED_BACK', async () => {
    const org = await organization();
    const deploy = async (version: string, status: DeploymentStatus = 'SUCCEEDED') => {
      const created = await createDeployment(url, org.developer.headers, {
        nodeId: org.nodeId,
        version,
      });
      return runToEnd(url, org.agent, created.id, status);
    };
    const v1 = await deploy('1.0.0');
    const v2Failed = await deploy('2.0.0', 'FAILED');
    // A failed deployment leaves v1 in place, with nothing before it.
    const firstOne = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: v1.id },
      org.developer.headers,
    );
    expect(errorCodes(firstOne)).toEqual(['CONFLICT']);
    expect(firstOne.errors?.[0]?.message).toMatch(/No earlier successful version/);
    const v2 = await deploy('2.0.1');
    const ofFailed = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: v2Failed.id },
      org.developer.headers,
    );
    expect(errorCodes(ofFailed)).toEqual(['CONFLICT']);

    const rollback = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: v2.id },
      org.developer.headers,
    );
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
    const again = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: v2.id },
      org.developer.headers,
    );
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
    const twice = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: v2.id },
      org.developer.headers,
    );
    expect(errorCodes(twice)).toEqual(['CONFLICT']);
  });

  it('rolls back only what is in place: not a deployment a later one replaced or is replacing', async () => {
    const org = await organization();
    const deployed = [];
    for (const version of ['1', '2', '3']) {
      const created = await createDeployment(url, org.developer.headers, {
        nodeId: org.nodeId,
        version,
      });
      await runToEnd(url, org.agent, created.id);
      deployed.push(created);
    }
    const rollbackOf = (id: string) =>
      graphql(url, RollbackDeploymentDocument, { id }, org.developer.headers);
    const ofReplaced = await rollbackOf(deployed[1]!.id);
    expect(errorCodes(ofReplaced)).toEqual(['CONFLICT']);
    expect(ofReplaced.errors?.[0]?.extensions).toMatchObject({ deploymentId: deployed[2]!.id });
    const queued = await createDeployment(url, org.developer.headers, {
      nodeId: org.nodeId,
      version: '4',
    });
    const ofReplacing = await rollbackOf(deployed[2]!.id);
    expect(errorCodes(ofReplacing)).toEqual(['CONFLICT']);
    expect(ofReplacing.errors?.[0]?.extensions).toMatchObject({ deploymentId: queued.id });
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
    const rollback = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: latest },
      org.developer.headers,
    );
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
    const retry = await graphql(
      url,
      RollbackDeploymentDocument,
      { id: latest },
      org.developer.headers,
    );
    expect(retry.data?.rollbackDeployment).toMatchObject({ status: 'QUEUED', version: '1' });
  });
});

describe('while the nodes subgraph is down', () => {
  it('refuses new deployments with a retryable SUBGRAPH_UNAVAILABLE naming nodes, then takes them', async () => {
    const org = await organization();
    const input = {
      nodeId: org.nodeId,
      application: 'billing-api',
      version: '2.0.0',
      environment: 'production',
    };
    await stack.stopSubgraph('nodes');
    try {
      const refused = await graphql(
        url,
        CreateDeploymentDocument,
        { input },
        org.developer.headers,
      );
      expect(refused.data).toBeNull();
      // serviceName is the subgraph that answered (as for every subgraph error); the message
      // names the one it depends on.
      expect(refused.errors).toEqual([
        {
          message: 'Subgraph nodes is unavailable (unreachable); retry shortly.',
          path: ['createDeployment'],
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'deployments' },
        },
      ]);
    } finally {
      await stack.restartSubgraph('nodes');
    }
    expect(await createDeployment(url, org.developer.headers, input)).toMatchObject({
      status: 'QUEUED',
    });
  });
});
