/**
 * The deployment workload, driven as a node agent drives the API: node A runs one long
 * deployment whose log grows all along (followed by `deploymentEvents` subscribers); node B
 * runs short deployments one after another, queued by a user, claimed and finished by the node
 * (followed by `deploymentUpdated` subscribers on node B). Every call is retried until
 * acknowledged; a retry that may duplicate a log line or a deployment is fine, since what the
 * subscribers must receive is read back from the database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeployment, claim, EVENTS } from '../support/deployments';
import { graphql } from '../support/graphql';
import { authenticateNode, heartbeat, registerNode } from '../support/nodes';
import type { SignedIn } from '../support/seed';
import { untilAcknowledged, ResumingSubscriber, type GraphQLResult } from './clients';
import { sleep, type PrivatePostgres } from './infra';
import type { Random } from './schedule';
import { ROOT } from './services';

const EVENTS_DOC = `subscription ($deploymentId: ID!, $after: String) {
  deploymentEvents(deploymentId: $deploymentId, after: $after) { id cursor type status message }
}`;

/**
 * Whether deploymentUpdated takes `after` (and deployments carry `streamCursor`) in the composed
 * API: without it, a reconnecting subscriber can only start again from "now".
 */
export const deploymentUpdatedResumable = /deploymentUpdated\([^)]*\bafter:/.test(
  readFileSync(join(ROOT, 'schema', 'api.graphql'), 'utf8'),
);

const UPDATED_DOC = deploymentUpdatedResumable
  ? `subscription ($nodeId: ID, $after: String) {
      deploymentUpdated(nodeId: $nodeId, after: $after) {
        id status streamCursor node { region } triggeredBy { username }
      }
    }`
  : `subscription ($nodeId: ID) {
      deploymentUpdated(nodeId: $nodeId) { id status node { region } triggeredBy { username } }
    }`;

const CREATE = `mutation ($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`;
const CLAIM = `mutation { claimDeployment { id } }`;
const REPORT = `mutation ($input: ReportDeploymentProgressInput!) {
  reportDeploymentProgress(input: $input) { id status }
}`;

interface Node {
  id: string;
  token: string;
}

export interface Deployments {
  longDeploymentId: string;
  /** The stored event the deploymentEvents subscribers start after. */
  eventsStart: { id: string; cursor: string };
  nodeA: Node;
  nodeB: Node;
  events: ResumingSubscriber[];
  updated: ResumingSubscriber[];
  /** The first short deployment: every deploymentUpdated subscriber was live before it. */
  markerId: string | null;
}

/** Subscribers 0…SHARED-1 of each stream share the admin's token, cursor and gateway 1. */
const SHARED = 4;

async function node(url: string, admin: SignedIn): Promise<Node> {
  const registered = await registerNode(url, admin, { region: 'eu-west-1' });
  const session = await authenticateNode(url, registered);
  await heartbeat(url, session);
  return { id: registered.node.id, token: session.token };
}

export async function setUpDeployments(
  urls: string[],
  admin: SignedIn,
  others: SignedIn[],
  perStream: number,
  random: Random,
): Promise<Deployments> {
  const url = urls[0]!;
  const nodeA = await node(url, admin);
  const nodeB = await node(url, admin);
  const long = await createDeployment(url, admin.headers, {
    nodeId: nodeA.id,
    application: 'long-app',
  });
  await claim(url, { authorization: `Bearer ${nodeA.token}` });
  const latest = await graphql(url, EVENTS, { id: long.id, last: 1 }, admin.headers);
  const edge = latest.data?.deployment?.events.edges[0];
  if (!edge) throw new Error(`no event on the long deployment: ${JSON.stringify(latest.errors)}`);
  const subscriber = (
    stream: string,
    i: number,
    query: string,
    variables: (cursor: string | null) => Record<string, unknown>,
    keyOf: (data: Record<string, any>) => string,
    cursorOf: (data: Record<string, any>) => string | null,
    start: string | null,
  ) => {
    const shared = i < SHARED;
    const home = shared ? 0 : i % 2;
    return new ResumingSubscriber(
      `${stream}-${i}`,
      [urls[home]!, urls[1 - home]!],
      (shared ? admin : others[i % others.length]!).accessToken,
      { query, variables, keyOf, cursorOf },
      start,
      random.fork(),
    );
  };
  const events = Array.from({ length: perStream }, (_, i) =>
    subscriber(
      'deploymentEvents',
      i,
      EVENTS_DOC,
      (after) => ({ deploymentId: long.id, after }),
      (data) => String(data.deploymentEvents.id),
      (data) => String(data.deploymentEvents.cursor),
      String(edge.cursor),
    ),
  );
  const updated = Array.from({ length: perStream }, (_, i) =>
    subscriber(
      'deploymentUpdated',
      i,
      UPDATED_DOC,
      (after) => ({ nodeId: nodeB.id, ...(deploymentUpdatedResumable ? { after } : {}) }),
      (data) => `${data.deploymentUpdated.id}:${data.deploymentUpdated.status}`,
      (data) => (data.deploymentUpdated.streamCursor as string | undefined) ?? null,
      null,
    ),
  );
  return {
    longDeploymentId: long.id,
    eventsStart: { id: String(edge.node.id), cursor: String(edge.cursor) },
    nodeA,
    nodeB,
    events,
    updated,
    markerId: null,
  };
}

/**
 * A call retried until acknowledged: an answer, or CONFLICT, which on a retry means that an
 * earlier attempt landed (a report, a decommissioning).
 */
const landed = (result: GraphQLResult) =>
  (!!result.data && !result.errors) ||
  (result.errors ?? []).some((error) => error.extensions?.code === 'CONFLICT');

async function finishClaimed(urls: string[], nodeB: Node, signal?: AbortSignal): Promise<number> {
  let finished = 0;
  for (;;) {
    const claimed = await untilAcknowledged(urls, CLAIM, {}, nodeB.token, { signal });
    const id = claimed.data?.claimDeployment?.id as string | undefined;
    if (!id) return finished;
    await untilAcknowledged(
      urls,
      REPORT,
      { input: { deploymentId: id, status: 'SUCCEEDED', logs: [{ message: 'done' }] } },
      nodeB.token,
      { accept: landed, signal },
    );
    finished += 1;
  }
}

export interface DeploymentStats {
  logReports: number;
  shortDeployments: number;
}

/**
 * Runs both nodes' work until `done()` says stop: a log line for the long deployment every
 * `logIntervalMs`, a short deployment every `shortIntervalMs`. Then finishes everything.
 */
export async function driveDeployments(
  urls: string[],
  admin: SignedIn,
  deployments: Deployments,
  options: {
    done: () => boolean;
    logIntervalMs: number;
    shortIntervalMs: number;
    signal: AbortSignal;
  },
): Promise<DeploymentStats> {
  const stats: DeploymentStats = { logReports: 0, shortDeployments: 0 };
  const { nodeA, nodeB, longDeploymentId } = deployments;
  const { signal } = options;
  const logs = async () => {
    while (!options.done()) {
      await untilAcknowledged(
        urls,
        REPORT,
        {
          input: {
            deploymentId: longDeploymentId,
            logs: [{ message: `line ${stats.logReports}` }],
          },
        },
        nodeA.token,
        { signal },
      );
      stats.logReports += 1;
      await sleep(options.logIntervalMs);
    }
  };
  const shorts = async () => {
    while (!options.done()) {
      await untilAcknowledged(
        urls,
        CREATE,
        {
          input: {
            nodeId: nodeB.id,
            application: `short-${stats.shortDeployments}`,
            version: '1.0.0',
            environment: 'production',
          },
        },
        admin.accessToken,
        { signal },
      );
      stats.shortDeployments += 1;
      await finishClaimed(urls, nodeB, signal);
      await sleep(options.shortIntervalMs);
    }
  };
  await Promise.all([logs(), shorts()]);
  await untilAcknowledged(
    urls,
    REPORT,
    { input: { deploymentId: longDeploymentId, status: 'SUCCEEDED' } },
    nodeA.token,
    { accept: landed, signal },
  );
  return stats;
}

const DECOMMISSION = `mutation ($id: ID!) { decommissionNode(id: $id) { id } }`;

export interface Retirements {
  /** The nodes to decommission, each with deployments queued on it before the faults. */
  nodeIds: string[];
}

/** Registers `count` nodes and queues two deployments on each, before the faults begin. */
export async function setUpRetirements(
  url: string,
  admin: SignedIn,
  count: number,
): Promise<Retirements> {
  const nodeIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = (await registerNode(url, admin)).node.id;
    for (const application of ['retired-a', 'retired-b']) {
      await createDeployment(url, admin.headers, { nodeId, application });
    }
    nodeIds.push(nodeId);
  }
  return { nodeIds };
}

/**
 * Decommissions the nodes one by one, every `intervalMs`, through the faults: some while the
 * deployments subgraph is down or Redis restarts, so that the announcement is lost. Every queue
 * must end CANCELLED all the same.
 */
export async function retireNodes(
  urls: string[],
  admin: SignedIn,
  retirements: Retirements,
  options: { intervalMs: number; signal: AbortSignal },
): Promise<void> {
  for (const id of retirements.nodeIds) {
    await sleep(options.intervalMs);
    await untilAcknowledged(urls, DECOMMISSION, { id }, admin.accessToken, {
      accept: landed,
      signal: options.signal,
    });
  }
}

/** The deployments on the decommissioned nodes that are not CANCELLED (all must end so). */
export async function notCancelled(postgres: PrivatePostgres, retirements: Retirements) {
  const rows = await postgres.query<{ id: string; status: string }>(
    `select id, status from deployments.deployments
      where node_id = any($1::uuid[]) and status <> 'CANCELLED'`,
    [retirements.nodeIds],
  );
  return rows.map((row) => `${row.id} ${row.status}`);
}

/** Queues the first short deployment: the barrier every deploymentUpdated subscriber must see. */
export async function queueMarker(urls: string[], admin: SignedIn, deployments: Deployments) {
  const created = await untilAcknowledged(
    urls,
    CREATE,
    {
      input: {
        nodeId: deployments.nodeB.id,
        application: 'marker',
        version: '1.0.0',
        environment: 'production',
      },
    },
    admin.accessToken,
  );
  deployments.markerId = String(created.data!.createDeployment.id);
  return deployments.markerId;
}

/** Finishes what a lost claim response left RUNNING on node B (the agent would, after restart). */
export async function finishStragglers(
  urls: string[],
  postgres: PrivatePostgres,
  deployments: Deployments,
): Promise<void> {
  await finishClaimed(urls, deployments.nodeB);
  const running = await postgres.query<{ id: string }>(
    `select id from deployments.deployments where node_id = $1 and status = 'RUNNING'`,
    [deployments.nodeB.id],
  );
  for (const { id } of running)
    await untilAcknowledged(
      urls,
      REPORT,
      { input: { deploymentId: id, status: 'SUCCEEDED' } },
      deployments.nodeB.token,
      { accept: landed },
    );
}

/** The long deployment's stored events after the subscribers' start, in cursor order. */
export async function expectedEvents(postgres: PrivatePostgres, deployments: Deployments) {
  const rows = await postgres.query<{ id: string }>(
    `select id from deployments.deployment_events
      where deployment_id = $1
        and sequence > (select sequence from deployments.deployment_events where id = $2)
      order by sequence`,
    [deployments.longDeploymentId, deployments.eventsStart.id],
  );
  return rows.map((row) => row.id);
}

/**
 * Node B's stored status changes from the marker's creation on, as `deployment:status`, in the
 * order they were made (node B's work is sequential, so creation time is commit order).
 */
export async function expectedUpdates(postgres: PrivatePostgres, deployments: Deployments) {
  const rows = await postgres.query<{ deployment_id: string; status: string }>(
    `select e.deployment_id, e.status from deployments.deployment_events e
       join deployments.deployments d on d.id = e.deployment_id
      where d.node_id = $1 and e.type = 'STATUS_CHANGED'
      order by e.created_at, e.sequence`,
    [deployments.nodeB.id],
  );
  const keys = rows.map((row) => `${row.deployment_id}:${row.status}`);
  const from = keys.indexOf(`${deployments.markerId}:QUEUED`);
  return from < 0 ? keys : keys.slice(from);
}
