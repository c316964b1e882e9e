/**
 * The node agent, wired from its options: key and registration, heartbeats, and the work loop
 * that claims deployments and runs them with the chosen executor, woken by the deploymentUpdated
 * subscription (or by polling alone with --poll-only).
 */
import type { Logger } from '../platform/logger';
import type { AgentOptions } from './args';
import { createExecutor } from './executors';
import { createGatewayClient } from './gateway-client';
import { startHeartbeats } from './heartbeats';
import { createMetricsSampler } from './metrics';
import { AgentFatalError } from './errors';
import { connectNode } from './node-session';
import { runDeployment } from './run-deployment';
import { AGENT_VERSION } from './version';
import { claimNext, createPollingTrigger, runWorkLoop, type WorkTrigger } from './work-loop';
import { createSubscriptionTrigger } from './work-subscription';

/** How long a stopping agent may still spend reporting what it abandoned. */
const SHUTDOWN_REPORT_MS = 10_000;

export interface Agent {
  /** Runs until stopped, or (with --once) until one deployment ran. */
  run(): Promise<void>;
  /** Abandons the current step, reports it, stops heartbeats; `run` then resolves. */
  stop(reason: string): void;
}

export function createAgent(options: AgentOptions, logger: Logger): Agent {
  const stopping = new AbortController();
  const reporting = new AbortController();
  let fatal: Error | null = null;

  const stop = (reason: string) => {
    if (stopping.signal.aborted) return;
    stopping.abort(new Error(reason));
    setTimeout(() => reporting.abort(new Error('shutdown deadline')), SHUTDOWN_REPORT_MS).unref();
  };

  return {
    stop,
    async run() {
      // Problems with the executor's configuration show before anything is registered.
      const executor = await createExecutor(options);
      const client = createGatewayClient(options.gateway, `opsgraph-agent/${AGENT_VERSION}`);
      let session;
      try {
        session = await connectNode({ client, logger, options }, stopping.signal);
      } catch (error) {
        if (stopping.signal.aborted) return;
        throw error;
      }
      const nodeLogger = logger.child({ nodeId: session.nodeId });
      /** The deployment being run: heartbeats name it, which renews its claim's lease. */
      let running: string | null = null;
      const heartbeats = startHeartbeats({
        session,
        sampler: createMetricsSampler(options.stateDir),
        intervalMs: options.heartbeatIntervalMs,
        version: AGENT_VERSION,
        running: () => (running ? [running] : []),
        logger: nodeLogger,
        onRefused: (error) => {
          fatal = new AgentFatalError(`The API refuses this node: ${error.message}`);
          stop('refused');
        },
      });
      const subscription = options.pollOnly
        ? null
        : createSubscriptionTrigger({
            gateway: options.gateway,
            session,
            pollIntervalMs: options.pollIntervalMs,
            logger: nodeLogger,
          });
      const trigger: WorkTrigger = subscription ?? createPollingTrigger(options.pollIntervalMs);
      try {
        await runWorkLoop({
          trigger,
          claim: (signal) => claimNext(session, nodeLogger, signal),
          run: async (deployment) => {
            running = deployment.id;
            try {
              return await runDeployment({
                deployment,
                executor,
                session,
                logger: nodeLogger,
                stopSignal: stopping.signal,
                reportSignal: reporting.signal,
                onDeploymentUpdated: subscription?.onDeploymentUpdated,
              });
            } finally {
              running = null;
            }
          },
          once: options.once,
          signal: stopping.signal,
          logger: nodeLogger,
        });
      } finally {
        await Promise.all([heartbeats.stop(), subscription?.close()]);
      }
      if (fatal) throw fatal;
    },
  };
}
