/**
 * One fault run: the system as processes, the chat and deployment workloads with their resuming
 * subscribers, and a seeded schedule of faults injected while they run. Returns what the
 * assertions and the printed summary need.
 */
import { addUser, signUp } from '../support/seed';
import { postMessages, setUpChat, storageProblems, storedMessages, type PosterStats } from './chat';
import { checkDelivery, receivedPerStream, totals, type Delivery } from './check';
import type { ResumingSubscriber } from './clients';
import {
  deploymentUpdatedResumable,
  driveDeployments,
  expectedEvents,
  expectedUpdates,
  finishStragglers,
  notCancelled,
  queueMarker,
  retireNodes,
  setUpDeployments,
  setUpRetirements,
  type DeploymentStats,
} from './deployments';
import { sleep, until } from './infra';
import { describeFault, faultSchedule, Random, type Fault } from './schedule';
import { startSystem, type System } from './system';

export interface FaultRecord {
  fault: string;
  kind: Fault['kind'];
  /** Seconds since the workload started. */
  at: number;
  /** Milliseconds from the restart until it answered; null when it never did. */
  recoveryMs: number | null;
  /** Only restarted services count against the 5 s promise. */
  service: string | null;
}

export interface Outcome {
  seed: number;
  faults: FaultRecord[];
  poster: PosterStats;
  deploymentWork: DeploymentStats;
  storage: string[];
  storedMessages: number;
  chat: Delivery[];
  events: Delivery[];
  updated: Delivery[];
  /** What troubled the streams, summed over subscribers of each kind. */
  troubles: Record<string, Record<string, number>>;
  reconnects: Record<string, number>;
  unexpectedExits: string[];
  drainSeconds: number;
  drainedAll: boolean;
  deploymentUpdatedResumable: boolean;
  /** Nodes decommissioned with deployments queued, and those deployments not CANCELLED in time. */
  retirements: { nodes: number; notCancelled: string[]; seconds: number };
}

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);

/** Nodes decommissioned over the fault window, each with deployments queued on it. */
const RETIRED_NODES = 30;

export interface ScenarioOptions {
  seed: number;
  messages: number;
  chatSubscribers: number;
  /** Subscribers of deploymentEvents, and as many of deploymentUpdated. */
  deploymentSubscribers: number;
  /** How many times each fault happens. */
  times: number;
  keepLogs: boolean;
}

async function injectFaults(
  system: System,
  schedule: ReturnType<typeof faultSchedule>,
  subscribers: ResumingSubscriber[],
  startedAt: number,
  signal: AbortSignal,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  for (const { pauseMs, fault } of schedule) {
    await sleep(pauseMs);
    signal.throwIfAborted();
    const at = (Date.now() - startedAt) / 1000;
    let recoveryMs: number | null = null;
    let service: string | null = null;
    if (fault.kind === 'kill') {
      const target = system.services.find((s) => s.spec.name === fault.service)!;
      service = fault.service;
      recoveryMs = await target.restart();
    } else if (fault.kind === 'redis-restart') {
      service = 'redis';
      recoveryMs = await system.redis.restart().catch(() => null);
    } else if (fault.kind === 'postgres-restart') {
      service = 'postgres';
      recoveryMs = await system.postgres.restart().catch(() => null);
    } else {
      for (const index of fault.subscribers) subscribers[index]!.drop();
    }
    const record = { fault: describeFault(fault), kind: fault.kind, at, recoveryMs, service };
    records.push(record);
    log(
      `t+${at.toFixed(1)}s ${record.fault}` +
        (service ? `: answering again after ${recoveryMs ?? 'never'} ms` : ''),
    );
  }
  return records;
}

const sumTroubles = (subscribers: ResumingSubscriber[]) => {
  const sum: Record<string, number> = {};
  for (const subscriber of subscribers)
    for (const [kind, count] of subscriber.troubles) sum[kind] = (sum[kind] ?? 0) + count;
  return sum;
};

export async function runScenario(options: ScenarioOptions): Promise<Outcome> {
  log(`seed ${options.seed} (FAULT_SEED=${options.seed} replays this schedule)`);
  const random = new Random(options.seed);
  const system = await startSystem(['users', 'nodes', 'messages', 'deployments']);
  log(`system up: ${system.services.map((s) => `${s.spec.name} pid ${s.pid}`).join(', ')}`);
  const urls = system.gateways.map((g) => g.url);
  const all: ResumingSubscriber[] = [];
  try {
    const admin = await signUp(urls[0]!);
    const chat = await setUpChat(urls, admin, options.chatSubscribers, random.fork());
    const viewers = await Promise.all([1, 2].map(() => addUser(urls[0]!, admin, 'DEVELOPER')));
    const deployments = await setUpDeployments(
      urls,
      admin,
      viewers,
      options.deploymentSubscribers,
      random.fork(),
    );
    const retired = await setUpRetirements(urls[0]!, admin, RETIRED_NODES);
    all.push(...chat.subscribers, ...deployments.events, ...deployments.updated);
    for (const subscriber of all) subscriber.start();

    // deploymentUpdated subscribers start from "now": a marker every one of them saw is where
    // their expected stream begins.
    let barrier = false;
    for (let attempt = 0; attempt < 3 && !barrier; attempt++) {
      const marker = await queueMarker(urls, admin, deployments);
      barrier = await until(
        async () =>
          deployments.updated.every((s) => s.received.some((r) => r.key === `${marker}:QUEUED`)),
        15_000,
        'deploymentUpdated subscribers',
      ).then(
        () => true,
        () => false,
      );
    }
    if (!barrier) throw new Error('deploymentUpdated subscribers never all saw a new deployment');

    const schedule = faultSchedule(random.fork(), {
      services: system.services.map((s) => s.spec.name),
      subscribers: all.length,
      times: options.times,
      pauseMs: [800, 2_500],
    });
    const windowMs = schedule.reduce((ms, s) => ms + s.pauseMs + 3_500, 0);
    log(
      `${schedule.length} faults over ~${Math.round(windowMs / 1000)} s; ${all.length} subscribers`,
    );
    const startedAt = Date.now();
    let faultsDone = false;
    let postingDone = false;
    // When one part of the workload fails, the others stop too (no fault after the teardown).
    const abort = new AbortController();
    const { signal } = abort;
    const part = <T>(work: Promise<T>) =>
      work.catch((error: unknown) => {
        abort.abort(error);
        throw error;
      });
    const [faults, poster, deploymentWork] = await Promise.all([
      part(injectFaults(system, schedule, all, startedAt, signal)).finally(
        () => (faultsDone = true),
      ),
      part(
        postMessages(urls, admin, chat.channelId, {
          count: options.messages,
          intervalMs: Math.max(10, windowMs / options.messages - 40),
          seed: options.seed,
          signal,
        }),
      ).finally(() => (postingDone = true)),
      part(
        driveDeployments(urls, admin, deployments, {
          done: () => (faultsDone && postingDone) || signal.aborted,
          logIntervalMs: 500,
          shortIntervalMs: 1_500,
          signal,
        }),
      ),
      part(retireNodes(urls, admin, retired, { intervalMs: windowMs / RETIRED_NODES, signal })),
    ]);
    await finishStragglers(urls, system.postgres, deployments);
    log(`workload done at t+${((Date.now() - startedAt) / 1000).toFixed(1)}s; draining`);

    const stored = await storedMessages(system.postgres, chat.channelId);
    const sequenceOf = new Map(stored.map((row) => [row.id, row.sequence]));
    const chatExpected = (name: string) => {
      const from = sequenceOf.get(chat.startOf.get(name)!)!;
      return stored.filter((row) => row.sequence > from).map((row) => row.id);
    };
    const events = await expectedEvents(system.postgres, deployments);
    const updates = await expectedUpdates(system.postgres, deployments);
    const expectedOf = (subscriber: ResumingSubscriber) =>
      subscriber.name.startsWith('chat-')
        ? chatExpected(subscriber.name)
        : subscriber.name.startsWith('deploymentEvents-')
          ? events
          : updates;
    // Subscribers of one stream select the same fields: each item must read the same for all.
    const deliveries = () => {
      const asReceived = receivedPerStream<string>();
      const streamOf = (name: string) => name.slice(0, name.lastIndexOf('-'));
      return all.map((s) =>
        checkDelivery(s.name, expectedOf(s), s.received, asReceived(streamOf(s.name))),
      );
    };
    const drainStarted = Date.now();
    const drainedAll = await until(
      async () => deliveries().every((d) => d.lost.length === 0),
      45_000,
      'backlogs',
    ).then(
      () => true,
      () => false,
    );
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    // Announcements lost to the faults are made good by the nodes subgraph's sweeps.
    const retiringStarted = Date.now();
    await until(
      async () => (await notCancelled(system.postgres, retired)).length === 0,
      30_000,
      'queues of decommissioned nodes',
    ).catch(() => undefined);
    const retirements = {
      nodes: retired.nodeIds.length,
      notCancelled: await notCancelled(system.postgres, retired),
      seconds: (Date.now() - retiringStarted) / 1000,
    };
    // A little longer, so late duplicates are seen too.
    await sleep(1_000);
    await Promise.all(all.map((s) => s.stop()));
    const checked = deliveries();
    const kind = (prefix: string) => all.filter((s) => s.name.startsWith(prefix));
    return {
      seed: options.seed,
      faults,
      poster,
      deploymentWork,
      storage: storageProblems(stored, poster.acknowledged),
      storedMessages: stored.length,
      chat: checked.filter((d) => d.subscriber.startsWith('chat-')),
      events: checked.filter((d) => d.subscriber.startsWith('deploymentEvents-')),
      updated: checked.filter((d) => d.subscriber.startsWith('deploymentUpdated-')),
      troubles: Object.fromEntries(
        ['chat-', 'deploymentEvents-', 'deploymentUpdated-'].map((p) => [p, sumTroubles(kind(p))]),
      ),
      reconnects: Object.fromEntries(
        ['chat-', 'deploymentEvents-', 'deploymentUpdated-'].map((p) => [
          p,
          kind(p).reduce((n, s) => n + s.connections - 1, 0),
        ]),
      ),
      unexpectedExits: system.services.flatMap((s) => s.unexpectedExits),
      drainSeconds,
      drainedAll,
      deploymentUpdatedResumable,
      retirements,
    };
  } finally {
    await Promise.all(all.map((s) => s.stop()));
    await system.stop(options.keepLogs);
    if (options.keepLogs) log(`services' logs kept in ${system.logDir}`);
  }
}

/** The summary the closing note quotes. */
export function summary(outcome: Outcome, promiseMs: number): string {
  const line = (label: string, deliveries: Delivery[], extra = '') => {
    const t = totals(deliveries);
    return (
      `${label}: ${t.subscribers} subscribers, ${t.expectedPerSubscriber} expected each; ` +
      `lost ${t.lost}, duplicated ${t.duplicated}, out of order ${t.outOfOrder}, ` +
      `unexpected ${t.unexpected}, differing ${t.differing} (${t.affected} subscribers affected)${extra}`
    );
  };
  const byKind = new Map<string, number>();
  for (const f of outcome.faults) byKind.set(f.fault, (byKind.get(f.fault) ?? 0) + 1);
  const restarts = new Map<string, (number | null)[]>();
  for (const f of outcome.faults)
    if (f.service) restarts.set(f.service, [...(restarts.get(f.service) ?? []), f.recoveryMs]);
  return [
    `Fault-injection run, seed ${outcome.seed}`,
    `  messages: ${outcome.poster.acknowledged.length} acknowledged (${outcome.poster.retries} retries), ` +
      `${outcome.storedMessages} stored in the channel, storage problems ${outcome.storage.length}`,
    `  deployments: ${outcome.deploymentWork.logReports} log reports on the long deployment, ` +
      `${outcome.deploymentWork.shortDeployments} short deployments` +
      (outcome.deploymentUpdatedResumable ? '' : ' (deploymentUpdated has no `after` here)'),
    `  decommissioned nodes: ${outcome.retirements.nodes}, each with 2 deployments queued first; ` +
      `not CANCELLED ${outcome.retirements.seconds.toFixed(1)} s after the drain: ${outcome.retirements.notCancelled.length}`,
    `  faults: ${outcome.faults.length} — ${[...byKind].map(([f, n]) => `${f} ×${n}`).join(', ')}`,
    `  restart → answering (ms): ${[...restarts].map(([s, ms]) => `${s} ${ms.map((m) => m ?? 'never').join('/')}`).join('; ')}`,
    `  restarts answering within ${promiseMs / 1000} s: ${outcome.faults.filter((f) => f.service && f.recoveryMs !== null && f.recoveryMs <= promiseMs).length} of ${outcome.faults.filter((f) => f.service).length}`,
    `  ${line('messageAdded', outcome.chat)}`,
    `  ${line('deploymentEvents', outcome.events)}`,
    `  ${line('deploymentUpdated', outcome.updated)}`,
    `  reconnects: ${Object.entries(outcome.reconnects)
      .map(([k, n]) => `${k.slice(0, -1)} ${n}`)
      .join(', ')}; ` +
      `drain after the workload: ${outcome.drainSeconds.toFixed(1)} s${outcome.drainedAll ? '' : ' (gave up: backlogs incomplete)'}`,
    ...Object.entries(outcome.troubles).map(
      ([k, t]) =>
        `  ${k.slice(0, -1)} stream ends/errors: ${
          Object.entries(t)
            .map(([what, n]) => `${what} ×${n}`)
            .join(', ') || 'none'
        }`,
    ),
    `  services that exited by themselves: ${outcome.unexpectedExits.length ? outcome.unexpectedExits.join('; ') : 'none'}`,
  ].join('\n');
}
