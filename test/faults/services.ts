/**
 * The system under test as separate OS processes: each gateway and subgraph runs its production
 * entry point from dist/, configured by environment variables only, with its output appended to
 * a log file. The supervisor SIGKILLs and restarts them on demand, measures how long a restarted
 * service takes to answer again, and — like an orchestrator — restarts one that exits by itself
 * (counted: a service should wait for its dependencies, not exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { onExit } from '../support/processes';
import { sleep, until } from './infra';

export const ROOT = join(__dirname, '..', '..');

export function requireDist(scripts: string[]): void {
  const missing = scripts.filter((script) => !existsSync(join(ROOT, script)));
  if (missing.length > 0)
    throw new Error(
      `The fault suite runs the built services, but ${missing.join(', ')} is missing: run \`npm run build\` first.`,
    );
}

/** POST `{ __typename }`: the service answers GraphQL (200 with data). */
async function answersGraphQL(url: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(2_000),
  });
  if (response.status !== 200) return false;
  const body = (await response.json()) as { data?: { __typename?: string } };
  return typeof body.data?.__typename === 'string';
}

export interface ServiceSpec {
  name: string;
  script: string;
  port: number;
  env: Record<string, string>;
}

export class Service {
  readonly url: string;
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private stopped = false;
  /** Exits nobody asked for, with their code or signal. */
  readonly unexpectedExits: string[] = [];

  constructor(
    readonly spec: ServiceSpec,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${spec.port}/graphql`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private spawn(): void {
    if (this.stopped) throw new Error(`${this.spec.name} was stopped`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [this.spec.script], {
      cwd: ROOT,
      // Only what the service is configured with: nothing leaks in from the test's environment.
      env: { PATH: process.env.PATH ?? '', ...this.spec.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    const withdraw = onExit(() => child.kill('SIGKILL'));
    child.once('exit', (code, signal) => {
      withdraw();
      if (this.child === child) this.child = null;
      if (this.expectingExit || this.stopped) return;
      this.unexpectedExits.push(`${this.spec.name} exited by itself (${signal ?? `code ${code}`})`);
      // An orchestrator would bring it back; after a pause so a crash loop does not spin.
      void sleep(1_000).then(() => {
        if (!this.stopped && !this.child) this.spawn();
      });
    });
  }

  answers(): Promise<boolean> {
    return answersGraphQL(this.url);
  }

  /** Starts it and resolves once it answers, with the milliseconds that took. */
  async start(timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    this.spawn();
    await until(() => this.answers(), timeoutMs, `${this.spec.name} (log: ${this.logFile})`);
    return Date.now() - started;
  }

  /** SIGKILL: no graceful shutdown, as when a machine or container dies. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    this.expectingExit = false;
  }

  /**
   * Kills it and starts it again; resolves with the milliseconds from the new process's spawn
   * until it answered (null when it did not answer within `timeoutMs`: it never came back).
   */
  async restart(timeoutMs = 90_000): Promise<number | null> {
    await this.kill();
    return this.start(timeoutMs).catch(() => null);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.kill();
  }
}
