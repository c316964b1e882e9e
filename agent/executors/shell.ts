/**
 * The opt-in shell executor: runs the commands of a JSON config file, one step each, streaming
 * their output lines as logs (stdout as INFO, stderr as WARN).
 *
 * The deployment's fields reach the commands as environment variables (OPSGRAPH_APPLICATION,
 * OPSGRAPH_VERSION, OPSGRAPH_ENVIRONMENT, OPSGRAPH_DEPLOYMENT_ID), never spliced into the
 * command text, so whatever a user puts in them cannot inject shell syntax.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { inheritedEnvironment } from '../env';
import type { DeploymentJob, ExecutionResult, ExecutionSink, Executor } from './executor';

/** How long a command gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 5_000;

export const shellConfigSchema = z.object({
  /** The shell that runs each command with `-c`. */
  shell: z.string().min(1).default('/bin/sh'),
  steps: z
    .array(
      z.object({
        name: z.string().min(1).max(63),
        command: z.string().min(1),
        timeoutSeconds: z.number().positive().default(600),
      }),
    )
    .min(1),
});
export type ShellConfig = z.infer<typeof shellConfigSchema>;

export async function loadShellConfig(path: string): Promise<ShellConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read the shell config ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const parsed = shellConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new Error(`Invalid shell config ${path}:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}

/** Runs one command; resolves with its exit code, or `timeout`. */
function runCommand(
  config: ShellConfig,
  step: ShellConfig['steps'][number],
  job: DeploymentJob,
  sink: ExecutionSink,
  signal: AbortSignal,
): Promise<number | 'timeout'> {
  return new Promise((resolve, reject) => {
    const child = spawn(config.shell, ['-c', step.command], {
      env: {
        ...inheritedEnvironment(),
        OPSGRAPH_DEPLOYMENT_ID: job.id,
        OPSGRAPH_APPLICATION: job.application,
        OPSGRAPH_VERSION: job.version,
        OPSGRAPH_ENVIRONMENT: job.environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so stopping it reaches the commands the shell started too.
      detached: true,
    });
    let timedOut = false;
    const kill = () => {
      if (child.exitCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
            process.kill(-child.pid, 'SIGKILL');
          }
        }, KILL_GRACE_MS).unref();
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, step.timeoutSeconds * 1000);
    signal.addEventListener('abort', kill, { once: true });
    const lines = (stream: NodeJS.ReadableStream, level: 'INFO' | 'WARN') =>
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line: string) => {
        if (line.trim() !== '') sink.log(level, line);
      });
    lines(child.stdout, 'INFO');
    lines(child.stderr, 'WARN');
    let settled = false;
    const settle = (outcome: number | 'timeout') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      if (signal.aborted) reject(signal.reason);
      else resolve(outcome);
    };
    child.on('error', (error) => {
      sink.log('ERROR', `Cannot run ${config.shell}: ${error.message}`);
      if (child.pid === undefined) settle(-1);
    });
    // 'close' comes after both output streams ended, so every line was logged.
    child.on('close', (code) => settle(timedOut ? 'timeout' : (code ?? -1)));
  });
}

export function createShellExecutor(config: ShellConfig): Executor {
  return {
    async run(job, sink, signal): Promise<ExecutionResult> {
      for (const step of config.steps) {
        signal.throwIfAborted();
        sink.step(step.name);
        const outcome = await runCommand(config, step, job, sink, signal);
        if (outcome === 'timeout') {
          return {
            status: 'FAILED',
            reason: `Step "${step.name}" timed out after ${step.timeoutSeconds}s.`,
          };
        }
        if (outcome !== 0) {
          return { status: 'FAILED', reason: `Step "${step.name}" exited with code ${outcome}.` };
        }
      }
      return { status: 'SUCCEEDED' };
    },
  };
}
