/**
 * The agent's one look at its environment. It is configured by its command line, except for
 * the credentials that register its node: those may come from the environment, where other
 * users of the machine cannot read them (they can read the process list). The shell executor's
 * commands inherit the rest of the environment (PATH, HOME, …), never those credentials.
 */
import { z } from 'zod';
import { parseEnv, type Environment } from '../platform/env';

const CREDENTIAL_VARIABLES = ['OPSGRAPH_API_KEY', 'OPSGRAPH_TOKEN'] as const;

const BLANK = 'is blank: give the credential, or unset the variable';

const schema = z.object({
  /** An OPERATOR or ADMIN API key, to register the node. */
  OPSGRAPH_API_KEY: z.string().trim().min(1, BLANK).optional(),
  /** Or an OPERATOR or ADMIN access token. */
  OPSGRAPH_TOKEN: z.string().trim().min(1, BLANK).optional(),
});

export interface AgentEnvironment {
  apiKey?: string | undefined;
  token?: string | undefined;
}

export function loadAgentEnvironment(source: Environment = process.env): AgentEnvironment {
  const env = parseEnv(schema, source);
  return { apiKey: env.OPSGRAPH_API_KEY, token: env.OPSGRAPH_TOKEN };
}

export function inheritedEnvironment(): Record<string, string | undefined> {
  const environment = { ...process.env };
  for (const name of CREDENTIAL_VARIABLES) delete environment[name];
  return environment;
}
