/** The agent's command line, parsed with Node's util.parseArgs and validated in one place. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEnvironment } from './env';
import { parseArgs } from 'node:util';

export const NODE_KINDS = ['DOCKER_HOST', 'SWARM', 'KUBERNETES', 'VM', 'PHYSICAL'] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EXECUTORS = ['simulated', 'shell'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** How the agent proves who registers its node: only needed until it is registered. */
export type RegistrationCredentials = { apiKey: string } | { token: string };

export interface AgentOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  gateway: string;
  credentials: RegistrationCredentials | null;
  name: string;
  region: string;
  kind: NodeKind;
  labels: string[];
  stateDir: string;
  executor: ExecutorName;
  shellConfig: string | null;
  pollIntervalMs: number;
  /** Poll only, without the deploymentUpdated subscription. */
  pollOnly: boolean;
  heartbeatIntervalMs: number;
  /** Simulated executor: the chance (0–1) that a deployment fails. */
  failureRate: number;
  /** Simulated executor: typical duration of one step. */
  stepDurationMs: number;
  once: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
}

export type ParsedCommand =
  { command: 'run'; options: AgentOptions } | { command: 'help' } | { command: 'version' };

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run agent -- --gateway <url> --name <name> --region <region> [options]

Registers this machine as an opsgraph node, heartbeats, and runs the deployments queued for it.

Required:
  --gateway <url>              the gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql
  --name <name>                the node's name (unique in the organization)
  --region <region>            where the node runs, e.g. eu-west-1

To register the node, an OPERATOR or ADMIN credential (not needed once it is registered):
  OPSGRAPH_API_KEY=<key>       an API key, from the environment (preferred), or
  --api-key-file <file>        an API key read from a file, or
  OPSGRAPH_TOKEN=<token>       an access token, from the environment
  --api-key <key>, --token <token>
                               the same on the command line, where the process list shows them

Options:
  --kind <kind>                ${NODE_KINDS.join(' | ')} (default DOCKER_HOST)
  --labels <a,b,...>           labels of the node (default none)
  --state-dir <dir>            keeps the node's key and registration (default .data/agent/<name>)
  --executor <name>            simulated | shell (default simulated)
  --shell-config <file>        JSON steps run by the shell executor (required with --executor shell)
  --poll-interval <duration>   how often to look for queued deployments while the work
                               subscription is down (default 5s; subscribed, every 30s or this)
  --poll-only                  poll at --poll-interval instead of subscribing for new work
  --heartbeat-interval <d>     how often to send a heartbeat (default 15s)
  --failure-rate <0..1>        simulated executor: chance that a deployment fails (default 0.1)
  --step-duration <duration>   simulated executor: typical duration of a step (default 2s)
  --once                       run at most one deployment, then exit
  --log-level <level>          ${LOG_LEVELS.join(' | ')} (default info)
  -h, --help                   print this help
  -v, --version                print the agent's version

Durations are a number with a unit (ms, s, m); a bare number means seconds.`;

const OPTIONS = {
  gateway: { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  token: { type: 'string' },
  name: { type: 'string' },
  region: { type: 'string' },
  kind: { type: 'string', default: 'DOCKER_HOST' },
  labels: { type: 'string', default: '' },
  'state-dir': { type: 'string' },
  executor: { type: 'string', default: 'simulated' },
  'shell-config': { type: 'string' },
  'poll-interval': { type: 'string', default: '5s' },
  'poll-only': { type: 'boolean', default: false },
  'heartbeat-interval': { type: 'string', default: '15s' },
  'failure-rate': { type: 'string', default: '0.1' },
  'step-duration': { type: 'string', default: '2s' },
  once: { type: 'boolean', default: false },
  'log-level': { type: 'string', default: 'info' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

/** `250ms`, `5s`, `1m`, or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option} must be a duration such as 500ms, 5s or 1m.`);
  const factor = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'] ?? 1000;
  const ms = Math.round(Number(match[1]) * factor);
  if (ms < 10) throw new UsageError(`--${option} must be at least 10ms.`);
  return ms;
}

function oneOf<T extends string>(values: readonly T[], value: string, option: string): T {
  const found = values.find((candidate) => candidate === value);
  if (!found) throw new UsageError(`--${option} must be one of ${values.join(', ')}.`);
  return found;
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required.`);
  return value.trim();
}

function gatewayUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--gateway must be a URL such as http://127.0.0.1:4000/graphql.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('--gateway must be an http:// or https:// URL.');
  }
  return url.toString();
}

function failureRate(text: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UsageError('--failure-rate must be a number from 0 to 1.');
  }
  return rate;
}

/** The file's first line, trimmed: an API key kept out of the command line. */
function readApiKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--api-key-file ${path} cannot be read.`);
  }
  const key = text.split('\n')[0]?.trim();
  if (!key) throw new UsageError(`--api-key-file ${path} is empty.`);
  return key;
}

/** One credential at most: the command line's, else the environment's. */
function registrationCredentials(
  values: { 'api-key'?: string; 'api-key-file'?: string; token?: string },
  environment: AgentEnvironment,
): RegistrationCredentials | null {
  const given = (['api-key', 'api-key-file', 'token'] as const).filter(
    (option) => values[option] !== undefined,
  );
  if (given.length > 1)
    throw new UsageError(`Pass one of --api-key, --api-key-file or --token, not ${given.length}.`);
  if (values['api-key'] !== undefined) return { apiKey: required(values['api-key'], 'api-key') };
  if (values['api-key-file'] !== undefined)
    return { apiKey: readApiKeyFile(required(values['api-key-file'], 'api-key-file')) };
  if (values.token !== undefined) return { token: required(values.token, 'token') };
  if (environment.apiKey && environment.token)
    throw new UsageError('Set OPSGRAPH_API_KEY or OPSGRAPH_TOKEN, not both.');
  if (environment.apiKey) return { apiKey: environment.apiKey };
  if (environment.token) return { token: environment.token };
  return null;
}

export function parseAgentArgs(argv: string[], environment: AgentEnvironment = {}): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs's messages name the offending option, e.g. "Unknown option '--nme'".
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { command: 'help' };
  if (values.version) return { command: 'version' };

  const credentials = registrationCredentials(values, environment);
  const executor = oneOf(EXECUTORS, values.executor, 'executor');
  const shellConfig = values['shell-config'] ?? null;
  if (executor === 'shell' && shellConfig === null) {
    throw new UsageError('--executor shell needs --shell-config <file>.');
  }
  if (executor !== 'shell' && shellConfig !== null) {
    throw new UsageError('--shell-config is only used with --executor shell.');
  }
  const name = required(values.name, 'name');
  // The server has the last word on names, but this one also names the default state directory.
  if (!NODE_NAME.test(name)) {
    throw new UsageError(
      '--name must be 1–63 letters, digits, ".", "_" or "-", starting with a letter or digit.',
    );
  }
  return {
    command: 'run',
    options: {
      gateway: gatewayUrl(required(values.gateway, 'gateway')),
      credentials,
      name,
      region: required(values.region, 'region'),
      kind: oneOf(NODE_KINDS, values.kind, 'kind'),
      labels: values.labels
        .split(',')
        .map((label) => label.trim())
        .filter(Boolean),
      stateDir: values['state-dir'] ?? join('.data', 'agent', name),
      executor,
      shellConfig,
      pollIntervalMs: parseDuration(values['poll-interval'], 'poll-interval'),
      pollOnly: values['poll-only'],
      heartbeatIntervalMs: parseDuration(values['heartbeat-interval'], 'heartbeat-interval'),
      failureRate: failureRate(values['failure-rate']),
      stepDurationMs: parseDuration(values['step-duration'], 'step-duration'),
      once: values.once,
      logLevel: oneOf(LOG_LEVELS, values['log-level'], 'log-level'),
    },
  };
}
