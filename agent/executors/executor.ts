/** What the agent needs of an executor: run one deployment, narrating its steps as logs. */

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface LogLine {
  level: LogLevel;
  message: string;
}

/** A claimed deployment, as the executor sees it. */
export interface DeploymentJob {
  id: string;
  application: string;
  version: string;
  environment: string;
}

/** Where an executor narrates its work; the agent reports it to the API. */
export interface ExecutionSink {
  /**
   * A new step begins: what was logged so far belongs to the previous one. Resolves once the
   * step may run; rejects with the run's abort reason when it must not (the deployment was
   * cancelled or failed meanwhile, or the agent is stopping).
   */
  step(name: string): Promise<void>;
  log(level: LogLevel, message: string): void;
}

export type ExecutionResult = { status: 'SUCCEEDED' } | { status: 'FAILED'; reason: string };

export interface Executor {
  /**
   * Runs the deployment. When `signal` aborts (the agent stops, or a user cancelled the
   * deployment), it stops the current step promptly and rejects with the signal's reason.
   */
  run(job: DeploymentJob, sink: ExecutionSink, signal: AbortSignal): Promise<ExecutionResult>;
}
