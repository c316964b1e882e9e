/**
 * A chat client that never misses a message: follows a channel's `messageAdded`, remembers the
 * cursor of the last message received (`extensions.resumeCursor`), and on every ending — the
 * socket dropped, the gateway restarted, a retryable SUBGRAPH_UNAVAILABLE, an expired token —
 * reconnects with backoff and resumes after that cursor. The recipe of docs/subscriptions.md.
 *
 *   npx tsx examples/resume.ts <gateway URL> <access token> <channel id> [after cursor]
 */
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ChatMessageAddedDocument,
  type ChatMessageAddedSubscription,
} from './__generated__/graphql';

/** Codes after which subscribing again cannot help. */
const FINAL = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']);

export function followChannel(options: {
  url: string;
  /** Called on every connection: return a fresh token when the last one expired. */
  token: () => Promise<string>;
  channelId: string;
  after: string | null;
  show: (message: ChatMessageAddedSubscription['messageAdded'], cursor: string | null) => void;
}): () => void {
  let after = options.after;
  let attempt = 0;
  let stopped = false;
  let dispose = () => undefined as unknown;
  const later = () => {
    if (!stopped) setTimeout(subscribe, Math.min(30_000, 500 * 2 ** attempt++));
  };
  const subscribe = () => {
    const client = createClient({
      url: options.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: async () => ({ authorization: `Bearer ${await options.token()}` }),
      retryAttempts: 0,
    });
    dispose = () => client.dispose();
    let retry = true;
    client.subscribe<ChatMessageAddedSubscription>(
      {
        query: print(ChatMessageAddedDocument),
        variables: { channelId: options.channelId, after },
      },
      {
        next: ({ data, errors, extensions }) => {
          if (data) {
            attempt = 0;
            const cursor = (extensions as { resumeCursor?: unknown } | undefined)?.resumeCursor;
            if (typeof cursor === 'string') after = cursor;
            options.show(data.messageAdded, after);
            return;
          }
          const code = errors?.[0]?.extensions?.code;
          console.error(`stream ended: ${String(code)} ${errors?.[0]?.message ?? ''}`);
          if (typeof code === 'string' && FINAL.has(code)) retry = false;
        },
        error: (error) => {
          console.error('connection lost; resuming after', after, error);
          void Promise.resolve(client.dispose()).then(later);
        },
        complete: () => void Promise.resolve(client.dispose()).then(() => retry && later()),
      },
    );
  };
  subscribe();
  return () => {
    stopped = true;
    dispose();
  };
}

if (require.main === module) {
  const [url, token, channelId, after] = process.argv.slice(2);
  if (!url || !token || !channelId) {
    console.error(
      'Usage: npx tsx examples/resume.ts <gateway URL> <access token> <channel id> [after]',
    );
    process.exit(2);
  }
  followChannel({
    url,
    token: async () => token,
    channelId,
    after: after ?? null,
    show: (message, cursor) =>
      console.log(`${cursor}  ${message.author.displayName}: ${message.body ?? '(deleted)'}`),
  });
}
