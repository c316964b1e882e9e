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

export interface CredentialWatch {
  /**
   * Calls `onEnded` once, with the reason (CREDENTIAL_ENDED), when the credential that
   * authenticated `principal` — and `apiKey`, the secret, if it was one — ends; at once if its
   * session is revoked already. Returns how to stop watching (safe to call more than once).
   */
  watch(
    principal: Principal | null,
    apiKey: string | undefined,
    onEnded: (message: string) => void,
  ): () => void;
  /** Stops the expiry timer and the revocation listener. */
  close(): void;
}

/** What a watched credential is told: its end, with the reason. */
type Ending = (message: string) => void;

export function createCredentialWatch(deps: {
  /** Session revocations; null where there are none to hear (no Redis). */
  revocations: Pick<RevocationList, 'isRevoked' | 'onRevoked'> | null;
  /** Hears API keys' revocations; null where they are not heard (keys then end only by lookup). */
  apiKeys: { watch(secret: string, onRevoked: () => void): () => void } | null;
}): CredentialWatch {
  /** The watched credentials by session, to end them when the session is revoked. */
  const bySession = new Map<string, Set<Ending>>();
  const expiries = createExpirySchedule<Ending>((end) => end(CREDENTIAL_ENDED.expired));
  const revoked = (sessionId: string) => {
    for (const end of bySession.get(sessionId) ?? []) end(CREDENTIAL_ENDED.sessionRevoked);
  };
  // Listens only while a session is watched: a verifier that never serves a subscription (HTTP
  // only) adds nothing to the revocation list's listeners.
  let stopListening: (() => void) | undefined;

  const forgetSession = (sessionId: string, end: Ending) => {
    const ends = bySession.get(sessionId);
    if (!ends?.delete(end) || ends.size > 0) return;
    bySession.delete(sessionId);
    if (bySession.size > 0) return;
    stopListening?.();
    stopListening = undefined;
  };

  return {
    watch(principal, apiKey, onEnded) {
      const expiresAt = principal?.expiresAt;
      const sessionId = principal?.kind === 'user' ? principal.sessionId : undefined;
      let watching = true;
      let stopWatchingKey: (() => void) | undefined;
      const unwatch = () => {
        if (!watching) return;
        watching = false;
        if (expiresAt !== undefined) expiries.remove(end, expiresAt);
        if (sessionId) forgetSession(sessionId, end);
        stopWatchingKey?.();
      };
      const end: Ending = (message) => {
        if (!watching) return;
        unwatch();
        onEnded(message);
      };

      if (expiresAt !== undefined) expiries.add(end, expiresAt);
      if (sessionId && deps.revocations) {
        stopListening ??= deps.revocations.onRevoked(revoked);
        const ends = bySession.get(sessionId) ?? new Set();
        bySession.set(sessionId, ends.add(end));
        // Revoked between the credential's check and now (a subscription's resolvers ran in
        // between): the revocation was heard before anyone listened for this session.
        if (deps.revocations.isRevoked(sessionId)) end(CREDENTIAL_ENDED.sessionRevoked);
      }
      if (apiKey && deps.apiKeys && watching) {
        stopWatchingKey = deps.apiKeys.watch(apiKey, () => end(CREDENTIAL_ENDED.apiKeyRevoked));
      }
      return unwatch;
    },
    close() {
      stopListening?.();
      stopListening = undefined;
      expiries.stop();
    },
  };
}
