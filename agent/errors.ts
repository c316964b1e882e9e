/** A problem the agent cannot fix by retrying: it stops with this message, exit code 1. */
export class AgentFatalError extends Error {
  override name = 'AgentFatalError';
}
