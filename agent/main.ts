/**
 * `OPSGRAPH_API_KEY=<key> npm run agent -- --gateway <url> --name <name> --region <region>`: the
 * node agent's process entry. Exit codes: 0 stopped normally, 1 fatal error, 2 usage error.
 */
import { ConfigError } from '../platform/env';
import { createLogger } from '../platform/logger';
import { createAgent } from './agent';
import { AgentFatalError } from './errors';
import { parseAgentArgs, USAGE, UsageError, type ParsedCommand } from './args';
import { loadAgentEnvironment } from './env';
import { AGENT_VERSION } from './version';

async function main(): Promise<number> {
  let parsed: ParsedCommand;
  try {
    parsed = parseAgentArgs(process.argv.slice(2), loadAgentEnvironment());
  } catch (error) {
    // A bad credential variable is a usage error as much as a bad option.
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    process.stderr.write(`Error: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }

  const { options } = parsed;
  const logger = createLogger({ name: 'agent', level: options.logLevel });
  if (process.argv.some((arg) => /^--(api-key|token)(=|$)/.test(arg)))
    logger.warn(
      'a credential on the command line is visible in the process list: prefer OPSGRAPH_API_KEY, --api-key-file or OPSGRAPH_TOKEN',
    );
  const agent = createAgent(options, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now": no more waiting for the current step's report.
    if (++signals > 1) {
      logger.warn({ signal }, 'stopping immediately');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: abandoning the current step, stopping heartbeats');
    agent.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  logger.info(
    { version: AGENT_VERSION, gateway: options.gateway, node: options.name },
    'opsgraph agent starting',
  );
  try {
    await agent.run();
    logger.info('agent stopped');
    return 0;
  } catch (error) {
    // Expected fatal conditions speak for themselves; anything else comes with its stack.
    if (error instanceof AgentFatalError) logger.fatal(error.message);
    else logger.fatal({ err: error }, error instanceof Error ? error.message : String(error));
    return 1;
  }
}

main().then(
  // Exit explicitly: idle keep-alive connections to the gateway would hold the process a while.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
