/** Seed builders for deployments: queue them as users do, claim and report as agents do. */
import { print } from 'graphql';
import { Redis } from 'ioredis';
import {
  CancelDeploymentDocument,
  ClaimDeploymentDocument,
  CreateDeploymentDocument,
  DeploymentEventsDocument,
  DeploymentStatsDocument,
  ReportDeploymentProgressDocument,
  RollbackDeploymentDocument,
  type DeploymentFieldsFragment,
  type DeploymentStatus,
  type ReportDeploymentProgressInput,
} from '../__generated__/graphql';
import { graphql, type GraphQLResponse } from './graphql';
import { authenticateNode, registerNode } from './nodes';
import { addUser, signUp, type SignedIn } from './seed';

/** The same operations as query strings, for tests that build requests or tables by hand. */
export const CREATE = print(CreateDeploymentDocument);
export const CANCEL = print(CancelDeploymentDocument);
export const ROLLBACK = print(RollbackDeploymentDocument);
export const CLAIM = print(ClaimDeploymentDocument);
export const REPORT = print(ReportDeploymentProgressDocument);
export const EVENTS = print(DeploymentEventsDocument);
export const STATS = print(DeploymentStatsDocument);

/** A deployment as the operations above select it. */
export type Deployment = DeploymentFieldsFragment;

function dataOf<TData, K extends keyof TData & string>(
  response: GraphQLResponse<TData>,
  field: K,
): NonNullable<TData[K]> {
  const value = response.data?.[field];
  if (value === undefined || value === null || response.errors) {
    throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  }
  return value;
}

export async function createDeployment(
  url: string,
  headers: Record<string, string>,
  input: { nodeId: string; application?: string; version?: string; environment?: string },
): Promise<Deployment> {
  const response = await graphql(
    url,
    CreateDeploymentDocument,
    {
      input: { application: 'billing-api', version: '1.0.0', environment: 'production', ...input },
    },
    headers,
  );
  return dataOf(response, 'createDeployment');
}

export async function claim(url: string, headers: Record<string, string>) {
  const response = await graphql(url, ClaimDeploymentDocument, {}, headers);
  if (response.errors)
    throw new Error(`claimDeployment failed: ${JSON.stringify(response.errors)}`);
  return response.data!.claimDeployment ?? null;
}

export async function report(
  url: string,
  headers: Record<string, string>,
  input: ReportDeploymentProgressInput,
): Promise<Deployment> {
  return dataOf(
    await graphql(url, ReportDeploymentProgressDocument, { input }, headers),
    'reportDeploymentProgress',
  );
}

/**
 * Five nodes registered by `admin`, each running `perNode` deployments to success with two log
 * lines (five events each); deployment i on a node is triggered by `triggeredBy[i % length]`.
 */
export async function seedFinishedDeployments(
  url: string,
  admin: SignedIn,
  perNode: number,
  triggeredBy: Record<string, string>[] = [admin.headers],
): Promise<void> {
  const nodes = await Promise.all(
    Array.from({ length: 5 }, async () => {
      const registered = await registerNode(url, admin, { region: 'eu-central-1' });
      return { id: registered.node.id, agent: (await authenticateNode(url, registered)).headers };
    }),
  );
  await Promise.all(
    nodes.map(async (node) => {
      for (let i = 0; i < perNode; i++) {
        const { id } = await createDeployment(url, triggeredBy[i % triggeredBy.length]!, {
          nodeId: node.id,
          application: `app-${i}`,
        });
        await claim(url, node.agent);
        await report(url, node.agent, {
          deploymentId: id,
          status: 'SUCCEEDED',
          logs: [{ message: `pulled app-${i}` }, { message: `started app-${i}` }],
        });
      }
    }),
  );
}

/** Runs a deployment through claim → logs → `status` (SUCCEEDED unless told otherwise). */
export async function runToEnd(
  url: string,
  agent: Record<string, string>,
  deploymentId: string,
  status: DeploymentStatus = 'SUCCEEDED',
): Promise<Deployment> {
  const claimed = await claim(url, agent);
  if (claimed?.id !== deploymentId) {
    throw new Error(`claimed ${claimed?.id ?? 'nothing'} instead of ${deploymentId}`);
  }
  return report(url, agent, { deploymentId, status, logs: [{ message: 'done' }] });
}

export async function stats(url: string, headers: Record<string, string>) {
  return dataOf(await graphql(url, DeploymentStatsDocument, {}, headers), 'deploymentStats');
}

/** Listens on Redis, as any service may, to the deployments subgraph's events of a stack. */
export async function listenToDeploymentEvents(redisUrl: string, redisPrefix: string) {
  const subscriber = new Redis(redisUrl);
  const updated: Record<string, any>[] = [];
  const appended: Record<string, any>[] = [];
  subscriber.on('message', (channel: string, message: string) => {
    const payload = JSON.parse(message) as Record<string, any>;
    if (channel.endsWith('DEPLOYMENT_UPDATED')) updated.push(payload);
    else appended.push(payload);
  });
  await subscriber.subscribe(
    `${redisPrefix}DEPLOYMENT_UPDATED`,
    `${redisPrefix}DEPLOYMENT_EVENT_APPENDED`,
  );
  return {
    updated,
    appended,
    close: () => subscriber.quit().then(() => undefined),
  };
}

export interface DeploymentsOrg {
  admin: SignedIn;
  developer: SignedIn;
  viewer: SignedIn;
  nodeId: string;
  /** The node agent's headers (a node token). */
  agent: Record<string, string>;
}

/** Organizations and reads for the deployments tests, against the gateway `url()` gives. */
export function deploymentsFixture(url: () => string) {
  /** An organization with a developer, a viewer and one registered, authenticated node. */
  async function organization(): Promise<DeploymentsOrg> {
    const admin = await signUp(url());
    const developer = await addUser(url(), admin, 'DEVELOPER');
    const viewer = await addUser(url(), admin, 'VIEWER');
    const registered = await registerNode(url(), admin);
    const session = await authenticateNode(url(), registered);
    return { admin, developer, viewer, nodeId: registered.node.id, agent: session.headers };
  }

  /** Another authenticated node of the organization. */
  async function addNode(org: DeploymentsOrg) {
    const registered = await registerNode(url(), org.admin);
    const session = await authenticateNode(url(), registered);
    return { nodeId: registered.node.id, agent: session.headers };
  }

  const events = async (
    org: DeploymentsOrg,
    id: string,
    args: Record<string, unknown> = { first: 50 },
  ) => {
    const response = await graphql(
      url(),
      DeploymentEventsDocument,
      { id, ...args },
      org.viewer.headers,
    );
    // Also built for bench/ (no jest there): a failed read throws.
    if (response.errors) throw new Error(`events failed: ${JSON.stringify(response.errors)}`);
    return response.data!.deployment!.events;
  };

  const eventSummaries = async (org: DeploymentsOrg, id: string) =>
    (await events(org, id)).edges.map(
      ({ node }: { node: Record<string, string | null> }) =>
        `${node.type} ${node.status ?? '-'} ${node.level} ${node.message}`,
    );

  return { organization, addNode, events, eventSummaries };
}
