/**
 * Ends what outlives a request — a subscription — when the credential it was opened with ends:
 * the bearer token expires, its session is revoked (logout, a spent refresh token used again;
 * heard from the revocation list, on any replica), or its API key is revoked. The gateway ends its
 * clients' subscriptions with it, and every subgraph the subscriptions opened on it, through the
 * gateway or straight: zero trust, each service ends what it serves itself.
 *
 * Cheap however many subscriptions it watches: one timer for every expiry, one revocation
 * listener for every session, the API key lookups' own watch for keys — nothing per event, no
 * round trip.
 */
import type { Principal } from './principal';
import type { RevocationList } from './revocations';

/** Why a credential ended, as subscribers read it in their stream's last error. */
export const CREDENTIAL_ENDED = {
  expired: 'Access token expired; reconnect with a fresh one.',
  sessionRevoked: 'This session has ended; sign in again.',
  apiKeyRevoked: 'This API key has been revoked.',
} as const;

/** setTimeout's longest delay (about 24.8 days); a later expiry is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ExpirySchedule<T> {
  /** Expires `item` at `second` (epoch seconds); at once if that has passed. */
  add(item: T, second: number): void;
  /** Forgets `item`, added for `second`. */
  remove(item: T, second: number): void;
  stop(): void;
}

/**
 * Expires each item at its second, with one timer for all of them — armed for the earliest —
 * rather than a timer per item, which a gateway holding tens of thousands of subscriptions paid
 * for in memory. Tokens expire on whole seconds: items are kept by their second, the seconds in
 * order. No timer is armed while nothing is due.
 */
export function createExpirySchedule<T>(expire: (item: T) => void): ExpirySchedule<T> {
  const bySecond = new Map<number, Set<T>>();
  /** The keys of bySecond, ascending. */
  const seconds: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Infinity;

  const arm = () => {
    const earliest = seconds[0] ?? Infinity;
    if (earliest === armedFor) return;
    clearTimeout(timer);
    timer = undefined;
    armedFor = earliest;
    if (earliest === Infinity) return;
    timer = setTimeout(fire, Math.min(MAX_TIMER_MS, Math.max(0, earliest * 1000 - Date.now())));
    timer.unref();
  };
  const fire = () => {
    armedFor = Infinity;
    const now = Date.now() / 1000;
    while (seconds.length > 0 && seconds[0]! <= now) {
      const second = seconds.shift()!;
      const items = bySecond.get(second)!;
      bySecond.delete(second);
      for (const item of items) expire(item);
    }
    arm();
  };

  return {
    add(item, second) {
      let items = bySecond.get(second);
      if (!items) {
        bySecond.set(second, (items = new Set()));
        let index = seconds.length;
        while (index > 0 && seconds[index - 1]! > second) index -= 1;
        seconds.splice(index, 0, second);
      }
      items.add(item);
      arm();
    },
    remove(item, second) {
      const items = bySecond.get(second);
      if (!items?.delete(item) || items.size > 0) return;
      bySecond.delete(second);
      seconds.splice(seconds.indexOf(second), 1);
      arm();
    },
    stop: () => clearTimeout(timer),
  };
}

/** A watch on one credential: `stop` when what it guards ends first (safe more than once). */
export interface Watching {
  stop(): void;
}

export interface CredentialWatch {
  /**
   * Calls `onEnded(target, reason)` once (the reason: CREDENTIAL_ENDED) when the credential that
   * authenticated `principal` — and `apiKey`, the secret, if it was one — ends; at once if its
   * session is revoked already. `onEnded` is best one function for all targets: a watch is then
   * one object, which matters at tens of thousands of subscriptions.
   */
  watch<T>(
    principal: Principal | null,
    apiKey: string | undefined,
    target: T,
    onEnded: (target: T, message: string) => void,
  ): Watching;
  /** Stops the expiry timer and the revocation listener. */
  close(): void;
}

/** One watched credential: held by the expiry schedule and by its session's set. */
class WatchedCredential implements Watching {
  private watching = true;
  /** Stops hearing its API key's revocation, for a key. */
  stopWatchingKey: (() => void) | undefined;

  constructor(
    private readonly owner: { forget(watched: WatchedCredential): void },
    readonly expiresAt: number | undefined,
    readonly sessionId: string | undefined,
    private readonly target: unknown,
    // Typed by watch() for its caller, which pairs it with its target.
    private readonly onEnded: (target: never, message: string) => void,
  ) {}

  get active() {
    return this.watching;
  }

  end(message: string) {
    if (!this.watching) return;
    this.stop();
    this.onEnded(this.target as never, message);
  }

  stop() {
    if (!this.watching) return;
    this.watching = false;
    this.owner.forget(this);
    this.stopWatchingKey?.();
  }
}

export function createCredentialWatch(deps: {
  /** Session revocations; null where there are none to hear (no Redis). */
  revocations: Pick<RevocationList, 'isRevoked' | 'onRevoked'> | null;
  /** Hears API keys' revocations; null where they are not heard (keys then end only by lookup). */
  apiKeys: { watch(secret: string, onRevoked: () => void): () => void } | null;
}): CredentialWatch {
  /** The watched credentials by session, to end them when the session is revoked. */
  const bySession = new Map<string, Set<WatchedCredential>>();
  const expiries = createExpirySchedule<WatchedCredential>((watched) =>
    watched.end(CREDENTIAL_ENDED.expired),
  );
  const revoked = (sessionId: string) => {
    for (const watched of bySession.get(sessionId) ?? []) {
      watched.end(CREDENTIAL_ENDED.sessionRevoked);
    }
  };
  // Listens only while a session is watched: a verifier that never serves a subscription (HTTP
  // only) adds nothing to the revocation list's listeners.
  let stopListening: (() => void) | undefined;

  const owner = {
    forget(watched: WatchedCredential) {
      if (watched.expiresAt !== undefined) expiries.remove(watched, watched.expiresAt);
      const { sessionId } = watched;
      const watchedOfSession = sessionId ? bySession.get(sessionId) : undefined;
      if (!watchedOfSession?.delete(watched) || watchedOfSession.size > 0) return;
      bySession.delete(sessionId!);
      if (bySession.size > 0) return;
      stopListening?.();
      stopListening = undefined;
    },
  };

  return {
    watch(principal, apiKey, target, onEnded) {
      const sessionId = principal?.kind === 'user' ? principal.sessionId : undefined;
      const watched = new WatchedCredential(
        owner,
        principal?.expiresAt,
        deps.revocations ? sessionId : undefined,
        target,
        onEnded,
      );
      if (watched.expiresAt !== undefined) expiries.add(watched, watched.expiresAt);
      if (watched.sessionId && deps.revocations) {
        stopListening ??= deps.revocations.onRevoked(revoked);
        const watchedOfSession = bySession.get(watched.sessionId) ?? new Set();
        bySession.set(watched.sessionId, watchedOfSession.add(watched));
        // Revoked between the credential's check and now (a subscription's resolvers ran in
        // between): the revocation was heard before anyone listened for this session.
        if (deps.revocations.isRevoked(watched.sessionId)) {
          watched.end(CREDENTIAL_ENDED.sessionRevoked);
        }
      }
      if (apiKey && deps.apiKeys && watched.active) {
        watched.stopWatchingKey = deps.apiKeys.watch(apiKey, () =>
          watched.end(CREDENTIAL_ENDED.apiKeyRevoked),
        );
      }
      return watched;
    },
    close() {
      stopListening?.();
      stopListening = undefined;
      expiries.stop();
    },
  };
}
