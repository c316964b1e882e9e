/**
 * Whether the gateway can serve: it is ready while any subgraph answers, since queries that need
 * only the subgraphs up still answer in full, and the others partly (SUBGRAPH_UNAVAILABLE naming
 * the missing one). Taking every gateway out of the load balancer because one subgraph is down
 * would turn a partial outage into a total one. /readyz lists each subgraph's answer and circuit
 * breaker; /metrics has the same as gauges.
 */
import { answersTypename, type ReadinessCheck } from '../platform/http';
import type { Metrics } from '../platform/metrics';
import type { BreakerState } from './circuit-breaker';
import type { SubgraphClient } from './data-source';

/** The circuit state gauge's values. */
const STATE_VALUES: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export function createSubgraphHealth(
  clients: ReadonlyMap<string, SubgraphClient>,
  metrics: Metrics,
): ReadinessCheck {
  /** Each subgraph's answer at the last readiness check (what the gauge reports). */
  const answered = new Map<string, boolean>();

  metrics.labelledGauge(
    'opsgraph_subgraph_circuit_state',
    'Circuit breaker of each subgraph: 0 closed, 1 half-open (a probe may pass), 2 open (failing fast).',
    'subgraph',
    () =>
      Object.fromEntries([...clients].map(([name, c]) => [name, STATE_VALUES[c.breakerState()]])),
  );
  metrics.labelledGauge(
    'opsgraph_subgraph_up',
    'Whether each subgraph answered the last readiness check (1) or not (0).',
    'subgraph',
    () => Object.fromEntries([...answered].map(([name, up]) => [name, up ? 1 : 0])),
  );

  return async () => {
    const subgraphs = Object.fromEntries(
      await Promise.all(
        [...clients].map(async ([name, client]) => {
          const up = await answersTypename(client.url);
          answered.set(name, up);
          return [name, { ready: up, breaker: client.breakerState() }] as const;
        }),
      ),
    );
    const down = Object.keys(subgraphs).filter((name) => !subgraphs[name]!.ready);
    const ok = down.length < clients.size;
    if (!ok) return { ok, error: 'no subgraph answers', subgraphs };
    return {
      ok,
      ...(down.length > 0 && { degraded: `unreachable: ${down.join(', ')}` }),
      subgraphs,
    };
  };
}
