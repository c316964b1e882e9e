/**
 * A circuit breaker for one upstream, and the jittered backoff of retries. A down upstream costs
 * every request that needs it a connection attempt (or a timeout); once it has failed
 * `failures` times in a row within `windowMs` the breaker opens and requests fail at once. After
 * `openMs` it lets one request through (half-open): its success closes the breaker, its failure
 * opens it for another `openMs`.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker… */
  failures: number;
  /** …when they all happened within this window. */
  windowMs: number;
  /** How long an open breaker fails requests before it lets a probe through. */
  openMs: number;
}

export interface CircuitBreaker {
  /** Whether a request may go now; in half-open, only the one probe may. */
  allow(): boolean;
  succeeded(): void;
  failed(): void;
  state(): BreakerState;
}

export function createCircuitBreaker(
  settings: BreakerSettings,
  /** Called when the state changes (for logs). */
  onChange: (state: BreakerState) => void = () => undefined,
  now: () => number = Date.now,
): CircuitBreaker {
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let firstFailureAt = 0;
  let openedAt = 0;
  let probing = false;

  const become = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    onChange(next);
  };
  const open = () => {
    openedAt = now();
    probing = false;
    become('open');
  };

  return {
    allow() {
      if (state === 'closed') return true;
      if (state === 'open') {
        if (now() - openedAt < settings.openMs) return false;
        become('half-open');
      }
      if (probing) return false;
      probing = true;
      return true;
    },
    succeeded() {
      consecutive = 0;
      probing = false;
      become('closed');
    },
    failed() {
      if (state === 'half-open') return open();
      if (state === 'open') return;
      const at = now();
      // A failure after a quiet spell starts a new run: old failures do not count towards it.
      if (consecutive === 0 || at - firstFailureAt > settings.windowMs) {
        consecutive = 0;
        firstFailureAt = at;
      }
      consecutive += 1;
      if (consecutive >= settings.failures) open();
    },
    state: () => {
      // An open breaker whose time is up is half-open for whoever asks (probes, metrics).
      if (state === 'open' && now() - openedAt >= settings.openMs) return 'half-open';
      return state;
    },
  };
}

export interface RetrySettings {
  /** Attempts in all, the first included (1: no retry). */
  attempts: number;
  /** Time from the first attempt after which no new attempt starts. */
  budgetMs: number;
}

/** The first retry's delay bound; each further one doubles it. */
const RETRY_BASE_MS = 50;

/**
 * "Full jitter": a random delay up to an exponentially growing bound, so clients that failed
 * together do not retry together.
 */
export const retryDelayMs = (retry: number, random: () => number = Math.random) =>
  Math.floor(random() * RETRY_BASE_MS * 2 ** (retry - 1));
