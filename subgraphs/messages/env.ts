/** The messages subgraph's configuration, read from the environment once at start. */
import { z } from 'zod';
import { commaListVar, intVar, parseEnv, type Environment } from '../../platform/env';
import {
  baseConfigFromEnv,
  subgraphEnvSchema,
  type SubgraphAuthConfig,
  type SubgraphBaseConfig,
} from '../kit/service-config';

/** How moderation judges a message body (see services/moderation.ts). */
export interface ModerationSettings {
  /** Longest accepted body, in Unicode code points. */
  maxMessageLength: number;
  /** Words and phrases refused in any letter case and with or without accents. */
  blockedWords: string[];
  /** More links than this in one message is link spam. */
  maxLinks: number;
  /** How many times one author may post the same body within `floodWindowSeconds`. */
  floodMaxRepeats: number;
  floodWindowSeconds: number;
}

export const MODERATION_DEFAULTS: ModerationSettings = {
  maxMessageLength: 4000,
  blockedWords: [],
  maxLinks: 5,
  floodMaxRepeats: 3,
  floodWindowSeconds: 60,
};

/** The messages subgraph's own settings. */
export interface MessagesSettings extends ModerationSettings {
  /** The users subgraph's GraphQL endpoint, asked on the caller's behalf whether users exist. */
  usersSubgraphUrl: string;
}

export const MESSAGES_DEFAULTS: MessagesSettings = {
  ...MODERATION_DEFAULTS,
  usersSubgraphUrl: 'http://127.0.0.1:4001/graphql',
};

export interface MessagesConfig extends SubgraphBaseConfig, SubgraphAuthConfig, MessagesSettings {}

const schema = subgraphEnvSchema({
  port: 4003,
  // The users subgraph where `npm start` runs it.
  apiKeyIntrospectionUrl: 'http://127.0.0.1:4001/auth/introspect',
}).extend({
  USERS_SUBGRAPH_URL: z.string().url().default(MESSAGES_DEFAULTS.usersSubgraphUrl),
  MESSAGE_MAX_LENGTH: intVar(MODERATION_DEFAULTS.maxMessageLength, 1, 100_000),
  /** Comma-separated, e.g. MESSAGE_BLOCKED_WORDS=darn,heck,drat. */
  MESSAGE_BLOCKED_WORDS: commaListVar,
  MESSAGE_MAX_LINKS: intVar(MODERATION_DEFAULTS.maxLinks, 0, 1000),
  MESSAGE_FLOOD_MAX_REPEATS: intVar(MODERATION_DEFAULTS.floodMaxRepeats, 1, 1000),
  MESSAGE_FLOOD_WINDOW_SECONDS: intVar(MODERATION_DEFAULTS.floodWindowSeconds, 1, 86_400),
});

export function loadMessagesConfig(source?: Environment): MessagesConfig {
  const env = parseEnv(schema, source);
  return {
    ...baseConfigFromEnv(env),
    usersSubgraphUrl: env.USERS_SUBGRAPH_URL,
    maxMessageLength: env.MESSAGE_MAX_LENGTH,
    blockedWords: env.MESSAGE_BLOCKED_WORDS,
    maxLinks: env.MESSAGE_MAX_LINKS,
    floodMaxRepeats: env.MESSAGE_FLOOD_MAX_REPEATS,
    floodWindowSeconds: env.MESSAGE_FLOOD_WINDOW_SECONDS,
  };
}
