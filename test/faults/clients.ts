/**
 * Clients that behave as the documented client recipe says, so that whatever they miss is the
 * system's fault: subscribers that keep the cursor of the last item they received and, whenever
 * their stream ends (socket closed, server error, completion), reconnect with it as `after`,
 * with backoff, to their own gateway or else the other one; and a caller that retries a mutation
 * until it is acknowledged.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { sleep } from './infra';
import type { Random } from './schedule';

export interface GraphQLResult {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** One POST; throws on a transport failure or a non-JSON answer. */
async function request(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token: string | null,
): Promise<GraphQLResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await response.json()) as GraphQLResult;
}

const codes = (result: GraphQLResult) =>
  (result.errors ?? []).map((error) => String(error.extensions?.code ?? error.message));

/**
 * Sends the mutation through the gateways in turn until `accept` takes its result (by default:
 * data without errors). Gives up after `timeoutMs`, naming the last failure.
 */
export async function untilAcknowledged(
  urls: string[],
  query: string,
  variables: Record<string, unknown>,
  token: string | null,
  options: {
    accept?: (result: GraphQLResult) => boolean;
    timeoutMs?: number;
    /** Ends the retries when the run is abandoned. */
    signal?: AbortSignal;
  } = {},
): Promise<GraphQLResult & { attempts: number }> {
  const accept = options.accept ?? ((result) => !!result.data && !result.errors);
  // Longer than a restart may take on a loaded machine, and than a dependency's restart after it.
  const deadline = Date.now() + (options.timeoutMs ?? 150_000);
  let last = '';
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      const result = await request(urls[attempt % urls.length]!, query, variables, token);
      if (accept(result)) return { ...result, attempts: attempt + 1 };
      last = codes(result).join(', ');
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`not acknowledged in time (last: ${last})`);
    await sleep(Math.min(100 * 2 ** Math.min(attempt, 4), 1_000));
  }
}

export interface StreamSpec {
  query: string;
  /** The subscription's variables, resuming after `cursor` when there is one. */
  variables(cursor: string | null): Record<string, unknown>;
  /** What identifies a delivered item for the checks (e.g. the message id). */
  keyOf(data: Record<string, any>): string;
  /** The cursor to resume after this item (null when the stream has none). */
  cursorOf(data: Record<string, any>): string | null;
}

export interface Received {
  key: string;
  cursor: string | null;
  /** The item as delivered (its data, as JSON), to compare with what others received of it. */
  payload: string;
}

export class ResumingSubscriber {
  readonly received: Received[] = [];
  /** What ended or troubled the stream, counted by kind (error code, close code). */
  readonly troubles = new Map<string, number>();
  connections = 0;
  private cursor: string | null;
  private socket: WebSocket | null = null;
  private stopped = false;
  private finishCurrent: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    readonly name: string,
    /** Its own gateway first; the other is tried when that one fails. */
    private readonly urls: string[],
    private readonly token: string,
    private readonly spec: StreamSpec,
    start: string | null,
    private readonly random: Random,
  ) {
    this.cursor = start;
  }

  private note(trouble: string): void {
    this.troubles.set(trouble, (this.troubles.get(trouble) ?? 0) + 1);
  }

  start(): void {
    this.running = this.run();
  }

  /** Cuts the TCP connection from the client's side, as a network drop does. */
  drop(): void {
    this.socket?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.finishCurrent?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const before = this.received.length;
      await this.once(this.urls[failures % this.urls.length]!);
      if (this.stopped) break;
      failures = this.received.length > before ? 0 : failures + 1;
      // Exponential backoff with full jitter, capped: a reconnect storm spreads out.
      const ceiling = Math.min(200 * 2 ** Math.min(failures, 4), 3_000);
      await sleep(50 + this.random.next() * ceiling);
    }
  }

  private once(url: string): Promise<void> {
    return new Promise((resolve) => {
      let client: Client | null = null;
      let unsubscribe = () => undefined as void;
      const finish = () => {
        if (this.finishCurrent !== finish) return;
        this.finishCurrent = null;
        this.socket = null;
        unsubscribe();
        void client?.dispose();
        resolve();
      };
      this.finishCurrent = finish;
      this.connections += 1;
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${this.token}` },
        retryAttempts: 0,
        lazy: true,
        keepAlive: 5_000,
        on: {
          connected: (socket) => {
            this.socket = socket as WebSocket;
          },
        },
      });
      unsubscribe = client.subscribe(
        { query: this.spec.query, variables: this.spec.variables(this.cursor) },
        {
          next: (result) => {
            const data = result.data as Record<string, any> | null | undefined;
            if (result.errors?.length || !data) {
              // The recipe: an event with errors is not an item; keep the last good cursor.
              for (const error of result.errors ?? [])
                this.note(`event error ${String(error.extensions?.code ?? error.message)}`);
              return;
            }
            const cursor = this.spec.cursorOf(data);
            this.received.push({
              key: this.spec.keyOf(data),
              cursor,
              payload: JSON.stringify(data),
            });
            if (cursor !== null) this.cursor = cursor;
          },
          error: (error: unknown) => {
            this.note(describeEnd(error));
            finish();
          },
          complete: () => {
            this.note('completed');
            finish();
          },
        },
      );
    });
  }
}

function describeEnd(error: unknown): string {
  if (Array.isArray(error))
    return `error ${error.map((e: { extensions?: { code?: string }; message?: string }) => e.extensions?.code ?? e.message).join(',')}`;
  const close = error as { code?: number; reason?: string } | null;
  if (typeof close?.code === 'number')
    return `closed ${close.code}${close.reason ? ` ${close.reason}` : ''}`;
  // ws reports a failed connection as an ErrorEvent-like object with a message.
  const message = (error as { message?: unknown } | null)?.message;
  return `error ${typeof message === 'string' ? message : String(error)}`;
}
