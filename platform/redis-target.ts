/**
 * What `REDIS_URL` names: one Redis, a Redis Cluster, or a primary found through Sentinel. One
 * variable for all three, so every process and tool that passes a Redis URL on (the subgraphs,
 * the gateway, `npm start`, the tests) handles the three alike:
 *
 * - `redis://[user:password@]host:port[/db]` or `rediss://…`: one Redis (plain pub/sub);
 * - `redis+cluster://[user:password@]host:port,host:port…`: a Redis Cluster, the listed nodes
 *   being seeds (any of its nodes will do; the rest are discovered), sharded pub/sub;
 * - `redis+sentinel://[user:password@]host:port,host:port…/<primary name>`: the primary that the
 *   listed sentinels name, followed across failovers (credentials are the data nodes'; the
 *   sentinels are asked without any).
 *
 * `rediss+cluster://` and `rediss+sentinel://` connect to the data nodes over TLS.
 */

export interface RedisAddress {
  host: string;
  port: number;
}

interface RedisCredentials {
  username?: string;
  password?: string;
  tls: boolean;
}

export type RedisTarget =
  | { kind: 'memory'; url: string }
  | { kind: 'single'; url: string }
  | ({ kind: 'cluster'; nodes: RedisAddress[] } & RedisCredentials)
  | ({ kind: 'sentinel'; sentinels: RedisAddress[]; name: string } & RedisCredentials);

const DISTRIBUTED = /^(rediss?)\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/;

function parseAddresses(list: string): RedisAddress[] {
  return list.split(',').map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(entry.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65_535) throw new Error(`"${entry}" must be host:port`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
}

function parseCredentials(userinfo: string | undefined): Omit<RedisCredentials, 'tls'> {
  if (!userinfo) return {};
  const [username, password] = userinfo.split(':').map(decodeURIComponent);
  return {
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Throws, saying what is wrong, for a URL that names no Redis. */
export function parseRedisUrl(url: string): RedisTarget {
  if (url.startsWith('memory://')) return { kind: 'memory', url };
  if (/^rediss?:\/\//.test(url)) {
    // ioredis reads the path as a database number and would send SELECT NaN at connection.
    if (!/^\/?\d*$/.test(new URL(url).pathname))
      throw new Error('the path of a redis:// URL is a database number (/0, /1…)');
    return { kind: 'single', url };
  }
  const match = DISTRIBUTED.exec(url);
  if (!match) {
    throw new Error(
      'must be a redis://, rediss://, redis+cluster://host:port,… or redis+sentinel://host:port,…/name URL',
    );
  }
  const [, scheme, kind, userinfo, hosts, path] = match;
  const common = { ...parseCredentials(userinfo), tls: scheme === 'rediss' };
  const addresses = parseAddresses(hosts!);
  if (kind === 'cluster') {
    if (path) throw new Error('a redis+cluster:// URL takes no path');
    return { kind: 'cluster', nodes: addresses, ...common };
  }
  const name = decodeURIComponent(path ?? '');
  if (!name) throw new Error('a redis+sentinel:// URL ends with /<primary name>');
  return { kind: 'sentinel', sentinels: addresses, name, ...common };
}
