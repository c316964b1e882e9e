/**
 * The default executor: simulates pull → start → health check with realistic, jittered delays,
 * and fails now and then (`--failure-rate`), so a fleet of agents exercises the whole API
 * without touching the host.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeploymentJob, Executor } from './executor';

interface SimulatedStep {
  name: string;
  /** Relative duration: pulling an image takes longer than the rest. */
  weight: number;
  begin(job: DeploymentJob): string;
  done(job: DeploymentJob): string;
  failure(job: DeploymentJob): string;
}

export const SIMULATED_STEPS: SimulatedStep[] = [
  {
    name: 'pull',
    weight: 1.5,
    begin: (job) => `Pulling image ${job.application}:${job.version}.`,
    done: (job) => `Pulled image ${job.application}:${job.version}.`,
    failure: (job) => `Pulling image ${job.application}:${job.version} failed: manifest unknown.`,
  },
  {
    name: 'start',
    weight: 1,
    begin: (job) => `Starting ${job.application} ${job.version} (${job.environment}).`,
    done: (job) => `Started ${job.application} ${job.version}.`,
    failure: (job) => `${job.application} exited with code 1 while starting.`,
  },
  {
    name: 'health check',
    weight: 1,
    begin: (job) => `Checking the health of ${job.application}.`,
    done: () => 'Health check passed.',
    failure: (job) => `${job.application} did not answer its health check in time.`,
  },
];

export function createSimulatedExecutor(options: {
  stepDurationMs: number;
  failureRate: number;
  random?: () => number;
}): Executor {
  const random = options.random ?? Math.random;
  return {
    async run(job, sink, signal) {
      // Decided up front: a failing deployment fails at one step, chosen at random.
      const failAt =
        random() < options.failureRate ? Math.floor(random() * SIMULATED_STEPS.length) : -1;
      for (const [index, step] of SIMULATED_STEPS.entries()) {
        await sink.step(step.name);
        sink.log('INFO', step.begin(job));
        const durationMs = options.stepDurationMs * step.weight * (0.75 + random() * 0.5);
        await sleep(durationMs, undefined, { signal });
        if (index === failAt) {
          sink.log('ERROR', step.failure(job));
          return { status: 'FAILED', reason: `Step "${step.name}" failed.` };
        }
        sink.log('INFO', step.done(job));
      }
      return { status: 'SUCCEEDED' };
    },
  };
}
