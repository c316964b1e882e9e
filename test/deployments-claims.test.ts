/**
 * The deployments subgraph end to end through the gateway, on real PostgreSQL and Redis, with
 * the real users and nodes subgraphs: concurrent claims by agents, at most one deployment of an application per
 * node, and the state machine refusing illegal transitions.
 */
import { claim, createDeployment, report, runToEnd } from './support/deployments';
import { deploymentsSuite } from './support/deployments-suite';
import {
  CancelDeploymentDocument,
  ReportDeploymentProgressDocument,
  type DeploymentStatus,
} from './__generated__/graphql';
import { errorCodes, graphql } from './support/graphql';
import { authenticateNode, registerNode } from './support/nodes';

let url: string;
const { organization, addNode, eventSummaries, ISO } = deploymentsSuite((started) => {
  url = started.gatewayUrl;
});

describe('claims and transitions', () => {
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
      ReportDeploymentProgressDocument,
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
    const attempt = async (deploymentId: string, status: DeploymentStatus) => {
      const response = await graphql(
        url,
        ReportDeploymentProgressDocument,
        { input: { deploymentId, status } },
        org.agent,
      );
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
    const cancelFailed = await graphql(
      url,
      CancelDeploymentDocument,
      { id: queued.id },
      org.developer.headers,
    );
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
    const cancelled = await graphql(
      url,
      CancelDeploymentDocument,
      { id: running.id },
      org.developer.headers,
    );
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
    const out = await graphql(
      url,
      CancelDeploymentDocument,
      { id: unclaimed.id },
      org.developer.headers,
    );
    expect(out.data?.cancelDeployment).toMatchObject({ status: 'CANCELLED', startedAt: null });
    expect(await claim(url, org.agent)).toBeNull();
  });
});
