/** The large dataset's shape and what every subgraph's seed module shares (bench/seed-large.ts). */
import { Client } from 'pg';
import type { Role } from '../../platform/principal';

export interface DatasetSize {
  users: number;
  nodes: number;
  deployments: number;
  channels: number;
  messages: number;
}

export const FULL_DATASET: DatasetSize = {
  users: 320,
  nodes: 1_000,
  deployments: 100_000,
  channels: 200,
  messages: 1_000_000,
};

/** Every seeded user signs in with this password. */
export const SEEDED_PASSWORD = 'benchmark password';

export interface SeededUser {
  id: string;
  organizationId: string;
  username: string;
  role: Role;
  /** A live session of the user, for access tokens signed outside the users subgraph. */
  sessionId: string;
}

export interface SeededDataset {
  size: DatasetSize;
  organizations: { id: string; name: string }[];
  users: SeededUser[];
  /** The busiest channel: public, in the first (largest) organization. */
  busiestChannel: { id: string; name: string; messages: number };
  deploymentEvents: number;
  seconds: number;
}

/** Three organizations of unequal size; the first holds most of everything. */
export const ORGANIZATIONS = [
  { name: 'Acme Operations', slug: 'acme-operations', share: 0.75 },
  { name: 'Globex Platform', slug: 'globex-platform', share: 0.18 },
  { name: 'Initech Cloud', slug: 'initech-cloud', share: 0.07 },
];

// prettier-ignore
export const APPLICATIONS = [
  'api-gateway', 'billing', 'checkout', 'search', 'notifications', 'auth', 'inventory',
  'reporting', 'media-store', 'scheduler', 'web-frontend', 'payments', 'audit-log', 'geo',
  'recommendations', 'mailer', 'metrics-ingest', 'chat-relay', 'export-worker', 'image-resizer',
];
export const DEPLOYMENT_HISTORY_DAYS = 180;

/** Deterministic choices, so two runs seed the same shape. */
export function createRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!;

/** Splits `total` over the organizations by their share (the first takes the remainder). */
export function split(total: number): number[] {
  const counts = ORGANIZATIONS.map(({ share }) => Math.max(1, Math.floor(total * share)));
  counts[0]! += total - counts.reduce((a, b) => a + b, 0);
  return counts;
}

export function scaleDataset(scale: number): DatasetSize {
  const scaled = (n: number, minimum: number) => Math.max(minimum, Math.round(n * scale));
  return {
    users: scaled(FULL_DATASET.users, 30),
    nodes: scaled(FULL_DATASET.nodes, 100),
    deployments: scaled(FULL_DATASET.deployments, 1_000),
    channels: scaled(FULL_DATASET.channels, 12),
    messages: scaled(FULL_DATASET.messages, 1_000),
  };
}

export interface Organization {
  id: string;
  name: string;
  slug: string;
  users: SeededUser[];
}

export async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // A bulk load: losing it in a crash costs nothing, waiting for each WAL flush costs minutes.
    await client.query('set synchronous_commit = off');
    return await run(client);
  } finally {
    await client.end();
  }
}
