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
import { AgentFatalError } from '../errors';
import type { DeploymentJob, ExecutionResult, ExecutionSink, Executor } from './executor';

/** How long a command gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/** How long a killed command's output may stay open once its shell is gone. */
const OUTPUT_DRAIN_MS = 1_000;

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
    throw new AgentFatalError(
      `Cannot read the shell config ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const parsed = shellConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    // Stops the agent with this message (exit code 1), not a stack trace.
    throw new AgentFatalError(`Invalid shell config ${path}:\n  - ${problems.join('\n  - ')}`);
  }
  return parsed.data;
}

/** Sends `signal` to every process of the group; one that is gone already is no error. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
  }
}

/**
 * Runs one command; resolves with its exit code, or `timeout`. A step lasts until the command
 * has exited and closed its output, so a background process it started that still writes to it
 * (`server &`) is part of the step, and its lines are logged.
 */
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
    let killed = false;
    let drain: NodeJS.Timeout | undefined;
    /**
     * Once the command was killed and the shell is gone, output still held open belongs to a
     * process that left the group (setsid): it gets a short drain, then the step ends anyway.
     */
    const drainOnceGone = () => {
      if (!killed || (child.exitCode === null && child.signalCode === null)) return;
      drain ??= setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle(timedOut ? 'timeout' : -1);
      }, OUTPUT_DRAIN_MS);
    };
    // The whole group, even when the shell itself has exited: what it left in the background
    // (`sleep 600 & echo started`) holds the output, and with it the step.
    const kill = () => {
      const { pid } = child;
      if (pid === undefined || killed) return;
      killed = true;
      signalGroup(pid, 'SIGTERM');
      setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
      drainOnceGone();
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
      clearTimeout(drain);
      signal.removeEventListener('abort', kill);
      if (signal.aborted) reject(signal.reason);
      else resolve(outcome);
    };
    child.on('error', (error) => {
      sink.log('ERROR', `Cannot run ${config.shell}: ${error.message}`);
      if (child.pid === undefined) settle(-1);
    });
    child.on('exit', drainOnceGone);
    // 'close' comes after both output streams ended, so every line was logged.
    child.on('close', (code) => settle(timedOut ? 'timeout' : (code ?? -1)));
  });
}

export function createShellExecutor(config: ShellConfig): Executor {
  return {
    async run(job, sink, signal): Promise<ExecutionResult> {
      for (const step of config.steps) {
        await sink.step(step.name);
        signal.throwIfAborted();
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
