/**
 * A Redis Cluster and a Sentinel-managed primary of the test's own, on free ports, each server a
 * process of its own with its files in a temporary folder: what `REDIS_URL=redis+cluster://…`
 * and `redis+sentinel://…` connect to in production, started the way an operator would.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes';
import { privateRedis, retrying, type PrivateRedis } from './private-services';

export interface PrivateRedisCluster {
  /** `redis+cluster://` with every primary as a seed. */
  url: string;
  /** Its servers, primaries and replicas. */
  nodes: PrivateRedis[];
  /** The port of the primary that owns `key`'s (or channel's) slot. */
  ownerOf(key: string): Promise<number>;
  /**
   * Kills the primary that owns `key`'s slot, and waits until its replica has taken the slot
   * over and the cluster is whole again (a cluster started with replicas).
   */
  failOver(key: string): Promise<void>;
  /**
   * A key prefix under which `channels` (prefixed) hash to as many different primaries as
   * there are, up to one each: what sharded pub/sub spreads over the cluster.
   */
  spreadingPrefix(channels: string[]): Promise<string>;
  stop(): Promise<void>;
}

const info = async (redis: PrivateRedis, section: string) =>
  String(await redis.command(...section.split(' ')));

/** Until every node agrees the cluster is up (all slots covered) and every replica is in sync. */
const whole = (nodes: PrivateRedis[]) =>
  retrying(async () => {
    for (const node of nodes) {
      const state = await info(node, 'CLUSTER INFO');
      if (!state.includes('cluster_state:ok')) throw new Error(`cluster not ready: ${state}`);
      const role = (await node.command('ROLE')) as unknown[];
      if (role[0] === 'slave' && role[3] !== 'connected') throw new Error('replica syncing');
    }
  }, 60_000);

/**
 * `primaries` redis-servers with cluster mode on, each with `replicas` replicas, joined by
 * `redis-cli --cluster create`.
 */
export async function startRedisCluster(primaries = 3, replicas = 0): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'opsgraph-redis-cluster-'));
  const nodes: PrivateRedis[] = [];
  try {
    for (let i = 0; i < primaries * (1 + replicas); i++) {
      nodes.push(
        await privateRedis({
          args: [
            ...['--cluster-enabled', 'yes', '--dir', dir],
            ...['--cluster-config-file', `nodes-${i}.conf`],
            // The bus port is port + 10000 unless set: that may be taken or beyond 65535.
            ...['--cluster-port', String(await freePort())],
            ...['--cluster-node-timeout', '2000'],
          ],
        }),
      );
    }
    await Promise.all(nodes.map((node) => node.start()));
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        ...['--cluster-replicas', String(replicas), '--cluster-yes'],
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create: ${create.stdout}${create.stderr}`);
    await whole(nodes);
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const alive = new Set(nodes);
  const anyAlive = () => [...alive][0]!;
  const cluster: PrivateRedisCluster = {
    url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`,
    nodes,
    async ownerOf(key) {
      const slot = Number(await anyAlive().command('CLUSTER', 'KEYSLOT', key));
      const ranges = (await anyAlive().command('CLUSTER', 'SLOTS')) as [
        number,
        number,
        [string, number],
      ][];
      const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!owner) throw new Error(`no node owns slot ${slot}`);
      return owner[2][1];
    },
    async failOver(key) {
      const owner = await cluster.ownerOf(key);
      const primary = nodes.find((node) => node.port === owner)!;
      alive.delete(primary);
      await primary.stop();
      await retrying(async () => {
        if ((await cluster.ownerOf(key)) === owner) throw new Error('not failed over yet');
      }, 60_000);
      await whole([...alive]);
    },
    async spreadingPrefix(channels) {
      const spread = Math.min(channels.length, nodes.length);
      for (;;) {
        const prefix = `opsgraph-test:${randomBytes(6).toString('hex')}:`;
        const owners = await Promise.all(channels.map((name) => cluster.ownerOf(prefix + name)));
        if (new Set(owners).size === spread) return prefix;
      }
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

export interface PrivateRedisSentinel {
  /** `redis+sentinel://` with the three sentinels and the primary's name. */
  url: string;
  name: string;
  /** The primary first; the replica takes over at a failover. */
  servers: PrivateRedis[];
  sentinels: PrivateRedis[];
  /** The port of the server the sentinels name as primary now. */
  primaryPort(): Promise<number>;
  /** Kills the primary and resolves, with its old port, once a replica was promoted. */
  killPrimary(): Promise<number>;
  stop(): Promise<void>;
}

const NAME = 'opsgraph';

/** A primary, a replica of it and three sentinels watching it (quorum 2). */
export async function startRedisSentinel(): Promise<PrivateRedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'opsgraph-redis-sentinel-'));
  // In the temporary folder: a replica stores the primary's snapshot on disk when it syncs.
  const primary = await privateRedis({ args: ['--dir', dir] });
  const replica = await privateRedis({
    args: ['--dir', dir, '--replicaof', '127.0.0.1', String(primary.port)],
  });
  const sentinels: PrivateRedis[] = [];
  const everything = () => [primary, replica, ...sentinels];
  try {
    await primary.start();
    await replica.start();
    for (let i = 0; i < 3; i++) {
      const configFile = join(dir, `sentinel-${i}.conf`);
      // Quick detection and failover: a test waits for it. Sentinels rewrite their file.
      writeFileSync(
        configFile,
        [
          `dir ${dir}`,
          `sentinel monitor ${NAME} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${NAME} 1000`,
          `sentinel failover-timeout ${NAME} 10000`,
          `sentinel parallel-syncs ${NAME} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(await privateRedis({ configFile, args: ['--sentinel'] }));
    }
    await Promise.all(sentinels.map((sentinel) => sentinel.start()));
    // A failover needs every sentinel to know the replica and the other sentinels (they learn
    // both through the primary within a few seconds).
    await retrying(async () => {
      for (const sentinel of sentinels) {
        const replicas = (await sentinel.command('SENTINEL', 'REPLICAS', NAME)) as unknown[];
        const others = (await sentinel.command('SENTINEL', 'SENTINELS', NAME)) as unknown[];
        if (replicas.length < 1 || others.length < 2)
          throw new Error('sentinels still discovering');
      }
    }, 60_000);
  } catch (error) {
    await Promise.all(everything().map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const primaryPort = async () => {
    const [, port] = (await sentinels[0]!.command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as [
      string,
      string,
    ];
    return Number(port);
  };
  return {
    url: `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${NAME}`,
    name: NAME,
    servers: [primary, replica],
    sentinels,
    primaryPort,
    async killPrimary() {
      const old = await primaryPort();
      await [primary, replica].find((server) => server.port === old)!.stop();
      await retrying(async () => {
        const now = await primaryPort();
        const promoted = [primary, replica].find((server) => server.port === now)!;
        const role = String(await promoted.command('ROLE'));
        if (now === old || !role.startsWith('master')) throw new Error('no failover yet');
      }, 60_000);
      return old;
    },
    async stop() {
      await Promise.all(everything().map((server) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
