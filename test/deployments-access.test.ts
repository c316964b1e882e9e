/**
 * The deployments subgraph end to end through the gateway, on real PostgreSQL and Redis, with
 * the real users and nodes subgraphs: who may call what (users, node agents, roles), decommissioned nodes, and
 * organization isolation.
 */
import {
  CANCEL,
  claim,
  CREATE,
  createDeployment,
  REPORT,
  report,
  ROLLBACK,
  stats,
  STATS,
} from './support/deployments';
import { deploymentsSuite } from './support/deployments-suite';
import { errorCodes, graphql } from './support/graphql';
import { waitFor } from './support/nodes';
import type { Stack } from './support/stack';

let stack: Stack;
let url: string;
const { organization, addNode } = deploymentsSuite((started) => {
  stack = started;
  url = started.gatewayUrl;
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
          { id: queued.id },
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
