/** The nodes subgraph's share of the large dataset: the fleet, each node with its applications. */
import type { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import {
  APPLICATIONS,
  DEPLOYMENT_HISTORY_DAYS,
  pick,
  split,
  type DatasetSize,
  type Organization,
} from './dataset';

const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1'];
const KINDS = ['DOCKER_HOST', 'KUBERNETES', 'VM', 'SWARM', 'PHYSICAL'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging', 'staging', 'dev'];

export interface SeededNode {
  id: string;
  organizationId: string;
  environment: string;
  /** The few applications this node runs. */
  applications: string[];
  /** Who deploys to it: DEVELOPER or above, of its organization. */
  deployers: string[];
}

export async function seedNodes(
  client: Client,
  organizations: Organization[],
  size: DatasetSize,
  random: () => number,
): Promise<SeededNode[]> {
  const nodes: SeededNode[] = [];
  // prettier-ignore
  const columns: Record<string, unknown[]> = {
    id: [], org: [], registeredBy: [], name: [], kind: [], status: [], region: [], labels: [],
    heartbeatAgo: [], cpu: [], memory: [], disk: [], createdDaysAgo: [],
  };
  const counts = split(size.nodes);
  organizations.forEach((organization, o) => {
    const operators = organization.users.filter((u) => u.role === 'ADMIN' || u.role === 'OPERATOR');
    const deployers = organization.users.filter((u) => u.role !== 'VIEWER').map((u) => u.id);
    for (let k = 0; k < counts[o]!; k++) {
      const region = pick(random, REGIONS);
      const kind = pick(random, KINDS);
      const environment = pick(random, ENVIRONMENTS);
      const roll = random();
      // No agent heartbeats during the benchmark: the system scenario freezes the sweeper.
      const status = roll < 0.88 ? 'ONLINE' : roll < 0.94 ? 'DEGRADED' : 'OFFLINE';
      const node: SeededNode = {
        id: randomUUID(),
        organizationId: organization.id,
        environment,
        applications: [0, 1, 2, 3].map(() => pick(random, APPLICATIONS)),
        deployers: [0, 1, 2, 3, 4].map(() => pick(random, deployers)),
      };
      nodes.push(node);
      columns.id!.push(node.id);
      columns.org!.push(organization.id);
      columns.registeredBy!.push(pick(random, operators).id);
      columns.name!.push(`${region}-${environment}-${kind.toLowerCase().replace('_', '-')}-${k}`);
      columns.kind!.push(kind);
      columns.status!.push(status);
      columns.region!.push(region);
      columns.labels!.push(`{linux,${environment},${random() < 0.3 ? 'gpu' : 'ssd'}}`);
      columns.heartbeatAgo!.push(status === 'OFFLINE' ? 3_600 + random() * 86_400 : random() * 15);
      columns.cpu!.push(status === 'DEGRADED' ? 95 + random() * 5 : 5 + random() * 70);
      columns.memory!.push(20 + random() * 60);
      columns.disk!.push(10 + random() * 70);
      columns.createdDaysAgo!.push(DEPLOYMENT_HISTORY_DAYS + 1 + random() * 200);
    }
  });
  // Public keys: 32 distinct bytes each, base64 as registerNode stores them.
  await client.query(
    `insert into nodes.nodes
       (id, organization_id, registered_by, name, kind, status, status_changed_at, region, labels,
        public_key, last_heartbeat_at, cpu_percent, memory_percent, disk_percent, agent_version,
        created_at)
     select id, org, registered_by, name, kind, status,
       now() - make_interval(secs => heartbeat_ago),
       region, labels::text[],
       encode(decode(md5(id::text) || md5(id::text || 'key'), 'hex'), 'base64'),
       now() - make_interval(secs => heartbeat_ago), cpu, memory, disk, '1.4.2',
       now() - make_interval(days => created_days_ago::int)
     from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::text[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[])
       as n(id, org, registered_by, name, kind, status, region, labels, heartbeat_ago, cpu, memory,
            disk, created_days_ago)`,
    // The columns were declared in the order of the unnest parameters.
    Object.values(columns),
  );
  return nodes;
}
