/**
 * Queries read plain rows, mutations entities (subgraphs/kit/reads.ts): the two must agree on
 * every field of every row, or a query would answer differently from the mutation that wrote the
 * same row. Many generated rows of every entity the read paths return (nulls, empty arrays,
 * fractional percentages, timestamps with milliseconds, self-references) are written through the
 * unit of work, then read back both ways — by id, by a filtered and ordered list, and through the
 * page loaders' raw statements — and compared property by property. Queries served by a read
 * replica take a third path (SQL sent to the replica's connection, rows mapped like by-id reads),
 * compared too: each database here lists itself as its replica.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_SUBGRAPHS } from '../dev/subgraphs';
import { createLogger } from '../platform/logger';
import { createDatabase, migrate, type Database, type EntityManager } from '../subgraphs/kit/orm';
import type { FilterQuery } from '@mikro-orm/core';
import {
  findRows,
  findRowsById,
  type ReadMode,
  type ReadScope,
  type Row,
} from '../subgraphs/kit/reads';
import {
  Deployment,
  DEPLOYMENT_STATUSES,
  type DeploymentStatus,
} from '../subgraphs/deployments/entities/deployment';
import { DeploymentEvent } from '../subgraphs/deployments/entities/deployment-event';
import {
  createDeploymentsContext,
  type DeploymentsContext,
  type DeploymentsDeps,
} from '../subgraphs/deployments/context';
import { createLoaders as createDeploymentLoaders } from '../subgraphs/deployments/loaders';
import { listDeployments } from '../subgraphs/deployments/services/deployments-service';
import { eventPage } from '../subgraphs/deployments/services/events-service';
import { Channel } from '../subgraphs/messages/entities/channel';
import { Message } from '../subgraphs/messages/entities/message';
import { createLoaders as createMessageLoaders } from '../subgraphs/messages/loaders';
import { Node } from '../subgraphs/nodes/entities/node';
import { Organization } from '../subgraphs/users/entities/organization';
import { User } from '../subgraphs/users/entities/user';
import { createTestDatabase, type TestDatabase } from './support/database';
import { LOG_LEVEL } from './support/env';

const ROWS = 120;
const READ: ReadMode = { readOnly: true };
const WRITE: ReadMode = { readOnly: false };
/** A query whose reads go to the database's replica (itself, here: the rows must be the same). */
/** A request's reads in `mode`, with `em` as its own EntityManager and as the reader. */
const scopeOf = (em: EntityManager, mode: ReadMode): ReadScope => ({ mode, em, reader: em });
const fromReplica = (database: Database): ReadMode => ({
  readOnly: true,
  replica: database.replicas[0]!,
});

let testDatabase: TestDatabase;
const databases: Record<string, Database> = {};

/** A small deterministic generator, so that a failure names a reproducible case. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return {
    next,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    maybe: <T>(value: T): T | null => (next() < 0.3 ? null : value),
    date: () => new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 2e11)),
  };
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  const logger = createLogger({ name: 'reads', level: LOG_LEVEL });
  for (const { name, entities, migrations } of LOCAL_SUBGRAPHS) {
    databases[name] = await createDatabase({
      url: testDatabase.url,
      schema: name,
      entities,
      migrations,
      poolSize: 2,
      replicaUrls: [testDatabase.url],
      logger,
    });
    await migrate(databases[name]);
  }
}, 120_000);

afterAll(async () => {
  for (const database of Object.values(databases)) await database.close();
  await testDatabase?.drop();
});

/** The entity's mapped properties, as a plain object: what a read path must return. */
function persisted(em: EntityManager, name: string, entity: object): Record<string, unknown> {
  const props = em
    .getMetadata()
    .get(name)
    .props.filter((prop) => prop.persist !== false && !prop.lazy)
    .map((prop) => prop.name as string);
  return Object.fromEntries(props.map((prop) => [prop, (entity as Record<string, unknown>)[prop]]));
}

/** Writes `entities` through the unit of work, then compares both read modes on all of them. */
async function expectReadsAgree<T extends { id: string }>(
  database: Database,
  entity: new (...args: never[]) => T,
  entities: T[],
): Promise<void> {
  const writer = database.fork();
  writer.persist(entities);
  await writer.flush();
  const ids = entities.map((e) => e.id);
  const byId = async (mode: ReadMode) =>
    new Map(
      (await findRowsById(scopeOf(database.fork(), mode), entity, ids)).map((r) => [r.id, r]),
    );
  const [plain, hydrated] = [await byId(READ), await byId(WRITE)];
  const em = database.fork();
  expect(plain.size).toBe(entities.length);
  expect(await byId(fromReplica(database))).toEqual(plain);
  for (const written of entities) {
    const expected = persisted(em, entity.name, written);
    const row = plain.get(written.id)!;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    // Only what `em.find` selects: a lazy column (a password hash) stays in the database.
    expect(Object.keys(row).sort()).toEqual(Object.keys(expected).sort());
    expect(row).toEqual(expected);
    expect(persisted(em, entity.name, hydrated.get(written.id)!)).toEqual(expected);
  }
  const list = async (mode: ReadMode) =>
    (
      await findRows(scopeOf(database.fork(), mode), entity, { id: { $in: ids } } as never, {
        orderBy: { id: 'desc' } as never,
        limit: ROWS,
      })
    ).map((row) => persisted(em, entity.name, row));
  const listed = await list(READ);
  expect(listed).toEqual(await list(WRITE));
  expect(await list(fromReplica(database))).toEqual(listed);
}

test('users and organizations read alike as rows and as entities', async () => {
  const g = generator(1);
  const organizations = Array.from(
    { length: ROWS },
    (_, i) => new Organization(`Organization ${i} ${g.next()}`, `organization-${i}`),
  );
  await expectReadsAgree(databases.users!, Organization, organizations);
  const users = Array.from(
    { length: ROWS },
    (_, i) =>
      new User(
        g.pick(organizations).id,
        `user${i}`,
        `user${i}@example.com`,
        g.pick(['Ada', 'Chloé Ünïcode', '']),
        g.pick(['ADMIN', 'OPERATOR', 'DEVELOPER', 'VIEWER'] as const),
        'hash',
      ),
  );
  await expectReadsAgree(databases.users!, User, users);
});

test('nodes read alike as rows and as entities', async () => {
  const g = generator(2);
  const nodes = Array.from({ length: ROWS }, (_, i) => {
    const node = new Node(
      randomUUID(),
      randomUUID(),
      `node-${i}`,
      g.pick(['DOCKER_HOST', 'SWARM', 'KUBERNETES', 'VM', 'PHYSICAL'] as const),
      g.pick(['eu-west-1', 'us-east-1']),
      g.pick([[], ['web'], ['web', 'gpu', 'ünï code']]),
      `key-${i}`,
    );
    node.status = g.pick(['PENDING', 'ONLINE', 'DEGRADED', 'OFFLINE'] as const);
    node.lastHeartbeatAt = g.maybe(g.date());
    node.cpuPercent = g.maybe(Math.round(g.next() * 10_000) / 100);
    node.memoryPercent = g.maybe(g.next() * 100);
    node.diskPercent = g.maybe(100);
    node.agentVersion = g.maybe('1.2.3');
    return node;
  });
  await expectReadsAgree(databases.nodes!, Node, nodes);
});

test('deployments and their events read alike, also through the page loaders', async () => {
  const g = generator(3);
  const organizationId = randomUUID();
  const nodeId = randomUUID();
  const deployments: Deployment[] = [];
  for (let i = 0; i < ROWS; i++) {
    const deployment = new Deployment(
      organizationId,
      nodeId,
      // Distinct applications: at most one RUNNING deployment per node and application.
      `app-${i}`,
      `v${i}`,
      g.pick(['production', 'staging']),
      randomUUID(),
      i > 0 ? g.maybe(deployments[i - 1]!.id) : null,
    );
    deployment.status = g.pick(DEPLOYMENT_STATUSES);
    deployment.startedAt = g.maybe(g.date());
    deployment.finishedAt = g.maybe(g.date());
    deployment.lastEventSequence = 3;
    deployments.push(deployment);
  }
  await expectReadsAgree(databases.deployments!, Deployment, deployments);
  const events = deployments.flatMap((d) =>
    [1, 2, 3].map(
      (sequence) =>
        new DeploymentEvent(
          d.id,
          sequence,
          sequence === 3 ? 'STATUS_CHANGED' : 'LOG',
          g.pick(['DEBUG', 'INFO', 'WARN', 'ERROR'] as const),
          `step ${sequence} ${g.next()}`,
          sequence === 3 ? d.status : null,
        ),
    ),
  );
  await expectReadsAgree(databases.deployments!, DeploymentEvent, events);

  const pages = async (mode: ReadMode) => {
    const em = databases.deployments!.fork();
    const loaders = createDeploymentLoaders(scopeOf(em, mode));
    const [eventPages, deploymentPages] = await Promise.all([
      Promise.all(
        deployments.map((d) =>
          loaders.eventPages.load({ deploymentId: d.id, end: 'last', limit: 3, after: 0 }),
        ),
      ),
      loaders.deploymentPages.load({
        owner: 'node',
        ownerId: nodeId,
        organizationId,
        status: null,
        limit: ROWS,
        after: null,
      }),
    ]);
    return {
      events: eventPages.flat().map((e) => persisted(em, 'DeploymentEvent', e)),
      deployments: deploymentPages.map((d) => persisted(em, 'Deployment', d)),
    };
  };
  const [plain, hydrated] = [await pages(READ), await pages(WRITE)];
  expect(plain.events).toHaveLength(3 * ROWS);
  expect(plain.deployments).toHaveLength(ROWS);
  expect(plain).toEqual(hydrated);
  expect(await pages(fromReplica(databases.deployments!))).toEqual(plain);

  // The list's keyset filter as listDeployments builds it: findRows reuses one statement per
  // shape of filter with each page's values, and must read what em.find reads, page by page.
  const keyset = async (mode: ReadMode, status: DeploymentStatus | null) => {
    const em = databases.deployments!.fork();
    const seen: Record<string, unknown>[] = [];
    for (let after: Row<Deployment> | null = null; ;) {
      const where: FilterQuery<Deployment> = { organizationId };
      if (status) where.status = status;
      if (after) {
        where.createdAt = { $lte: after.createdAt };
        where.$or = [{ createdAt: { $lt: after.createdAt } }, { id: { $lt: after.id } }];
      }
      const rows: Row<Deployment>[] = await findRows(scopeOf(em, mode), Deployment, where, {
        orderBy: { createdAt: 'desc', id: 'desc' },
        limit: 7,
      });
      seen.push(...rows.map((row) => persisted(em, 'Deployment', row)));
      if (rows.length < 7) return seen;
      after = rows.at(-1)!;
    }
  };
  for (const status of [null, 'RUNNING', 'FAILED'] as const) {
    const listed = await keyset(READ, status);
    expect(listed).toHaveLength(deployments.filter((d) => !status || d.status === status).length);
    expect(listed).toEqual(await keyset(WRITE, status));
    expect(await keyset(fromReplica(databases.deployments!), status)).toEqual(listed);
  }

  // A query's context never forks its own EntityManager: its plain rows come through the
  // database's reader, forked once. A request that may write forks its own when it reads.
  let forks = 0;
  const deps = {
    fork: () => {
      forks += 1;
      return databases.deployments!.fork();
    },
  } as DeploymentsDeps;
  const context = (readOnly: boolean) =>
    createDeploymentsContext(deps, {
      requestId: 'reads',
      principal: {
        kind: 'user',
        userId: randomUUID(),
        organizationId,
        role: 'VIEWER',
        sessionId: randomUUID(),
        expiresAt: Math.floor(Date.now() / 1000) + 60,
      },
      clientAddress: '127.0.0.1',
      logger: createLogger({ name: 'reads', level: LOG_LEVEL }),
      credentials: {},
      mode: { readOnly },
    });
  const dashboard = async (ctx: DeploymentsContext) => {
    const page = await listDeployments(ctx, { first: 10 });
    await Promise.all(page.edges.map(({ node }) => eventPage(ctx, node, { last: 3 })));
    return page.edges.length;
  };
  expect(await dashboard(context(true))).toBe(10);
  expect(await dashboard(context(true))).toBe(10);
  expect(forks).toBe(1);
  expect(await dashboard(context(false))).toBe(10);
  expect(forks).toBe(2);
});

test('channels and messages read alike, also through the message page loader', async () => {
  const g = generator(4);
  const channels = Array.from(
    { length: 10 },
    (_, i) =>
      new Channel(
        randomUUID(),
        `channel-${i}`,
        g.maybe('a topic'),
        g.pick(['PUBLIC', 'PRIVATE'] as const),
        randomUUID(),
      ),
  );
  await expectReadsAgree(databases.messages!, Channel, channels);
  const messages = Array.from({ length: ROWS }, (_, i) => {
    const message = new Message(
      channels[i % channels.length]!.id,
      Math.floor(i / channels.length) + 1,
      randomUUID(),
      g.pick(['hello', 'ünïcode ✓', 'a'.repeat(4000)]),
      g.maybe(`client-${i}`),
    );
    message.editedAt = g.maybe(g.date());
    message.deletedAt = g.maybe(g.date());
    return message;
  });
  await expectReadsAgree(databases.messages!, Message, messages);

  const pages = async (mode: ReadMode) => {
    const em = databases.messages!.fork();
    const loaders = createMessageLoaders(scopeOf(em, mode), null);
    const loaded = await Promise.all(
      channels.map((c) =>
        loaders.messagePage.load({
          channelId: c.id,
          afterSequence: null,
          beforeSequence: null,
          backward: true,
          limit: 5,
        }),
      ),
    );
    return loaded.flat().map((m) => persisted(em, 'Message', m));
  };
  const plain = await pages(READ);
  expect(plain).toHaveLength(50);
  expect(plain).toEqual(await pages(WRITE));
  expect(await pages(fromReplica(databases.messages!))).toEqual(plain);
});
