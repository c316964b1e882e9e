/** The deployments subgraph's share of the large dataset: deployments, rollbacks and their events. */
import type { Client } from 'pg';
import { DEPLOYMENT_HISTORY_DAYS, type DatasetSize } from './dataset';
import type { SeededNode } from './nodes';

/** The newest deployments: still queued, and running before them. */
const QUEUED_RECENT = 20;
const RUNNING_RECENT = 40;

/**
 * Deployments round-robin over the nodes, oldest first: the newest QUEUED_RECENT are QUEUED and
 * the RUNNING_RECENT before them RUNNING, each on a different node (so never two RUNNING per node
 * and application); the older ones finished. Then a few finished pairs become rollbacks, then
 * every deployment gets the events its history implies.
 */
export async function seedDeployments(
  client: Client,
  nodes: SeededNode[],
  size: DatasetSize,
): Promise<number> {
  if (QUEUED_RECENT + RUNNING_RECENT > nodes.length)
    throw new Error('too few nodes for the active deployments');
  await client.query('select setseed(0.42)');
  await client.query('begin');
  await client.query(
    `with node as (
       select (ord - 1)::int as idx, id, org, environment
       from unnest($1::uuid[], $2::uuid[], $3::text[]) with ordinality as n(id, org, environment, ord)
     ),
     plan as (
       select i, i % $6::int as node_idx, floor(random() * 4)::int as app_slot,
         floor(random() * 5)::int as deployer_slot, random() as outcome,
         now() - make_interval(secs => ($7::int - i) * $8::float8 / $7::int) as created_at,
         make_interval(secs => 2 + random() * 30) as wait,
         make_interval(secs => 20 + random() * 280) as run,
         case
           when i >= $7::int - $9::int then 'QUEUED'
           when i >= $7::int - $9::int - $10::int then 'RUNNING'
           when random() < 0.86 then 'SUCCEEDED'
           when random() < 0.7 then 'FAILED'
           else 'CANCELLED'
         end as status
       from generate_series(0, $7::int - 1) as i
     )
     insert into deployments.deployments
       (id, organization_id, node_id, application, version, environment, status, triggered_by,
        created_at, started_at, finished_at, last_event_sequence)
     select gen_random_uuid(), node.org, node.id, ($4::text[])[node.idx * 4 + app_slot + 1],
       format('%s.%s.%s', 1 + i / 40000, (i / 1000) % 40, i % 7), node.environment, status,
       ($5::uuid[])[node.idx * 5 + deployer_slot + 1], created_at,
       -- A third of the cancellations happened while still queued.
       case when status = 'QUEUED' or (status = 'CANCELLED' and outcome < 0.33) then null
            else created_at + wait end,
       case when status in ('QUEUED', 'RUNNING') then null
            else created_at + wait + run end,
       case status when 'QUEUED' then 1 when 'RUNNING' then 3
                   when 'CANCELLED' then case when outcome < 0.33 then 2 else 4 end
                   else 5 end
     from plan join node on node.idx = plan.node_idx`,
    [
      nodes.map((n) => n.id),
      nodes.map((n) => n.organizationId),
      nodes.map((n) => n.environment),
      nodes.flatMap((n) => n.applications),
      nodes.flatMap((n) => n.deployers),
      nodes.length,
      size.deployments,
      DEPLOYMENT_HISTORY_DAYS * 86_400,
      QUEUED_RECENT,
      RUNNING_RECENT,
    ],
  );
  // Rollbacks as rollbackDeployment makes them: of a SUCCEEDED deployment, to the version of the
  // successful one before it (same node, application and environment); the rollback succeeded,
  // so the deployment it rolled back is ROLLED_BACK, with one more event.
  await client.query(`
    with history as (
      select id, status, version,
        lag(id) over w as previous_id, lag(status) over w as previous_status,
        lag(version) over w as previous_version,
        lag(status, 2) over w as older_status, lag(version, 2) over w as older_version
      from deployments.deployments
      window w as (partition by node_id, application, environment order by created_at, id)
    ),
    chosen as (
      select id, previous_id, older_version from history
      where status = 'SUCCEEDED' and previous_status = 'SUCCEEDED' and older_status = 'SUCCEEDED'
        and older_version <> previous_version and random() < 0.04
    ),
    rolled_back as (
      update deployments.deployments d
      set status = 'ROLLED_BACK', last_event_sequence = last_event_sequence + 1
      from chosen where d.id = chosen.previous_id
      returning d.id
    )
    update deployments.deployments d
    set rollback_of = chosen.previous_id, version = chosen.older_version
    from chosen
    -- A deployment rolled back by one choice cannot also be another's rollback.
    where d.id = chosen.id and chosen.id not in (select previous_id from chosen)`);
  // Undo the ROLLED_BACK marks whose rollback was dropped by that last condition.
  await client.query(`
    update deployments.deployments d
    set status = 'SUCCEEDED', last_event_sequence = last_event_sequence - 1
    where status = 'ROLLED_BACK'
      and not exists (select 1 from deployments.deployments r where r.rollback_of = d.id)`);
  // The messages are the ones the services write (history.ts, lifecycle and agent services).
  const events = await client.query(`
    insert into deployments.deployment_events
      (id, deployment_id, sequence, type, status, level, message, created_at)
    select gen_random_uuid(), d.id,
      row_number() over (partition by d.id order by step.n), step.type, step.status, step.level,
      step.message, step.at
    from deployments.deployments d
    left join deployments.deployments original on original.id = d.rollback_of
    left join deployments.deployments rollback on rollback.rollback_of = d.id
    cross join lateral (values
      (1, 'STATUS_CHANGED', 'QUEUED', 'INFO',
        case when original.id is null
          then format('Queued %s %s for %s.', d.application, d.version, d.environment)
          else format('Queued rollback of %s from %s to %s.', d.application, original.version, d.version)
        end, d.created_at, true),
      (2, 'STATUS_CHANGED', 'RUNNING', 'INFO', 'Claimed by the node agent.', d.started_at,
        d.started_at is not null),
      (3, 'LOG', null, 'INFO', format('Pulling registry.local/%s:%s', d.application, d.version),
        d.started_at + interval '1 second', d.started_at is not null),
      (4, 'LOG', null, case when d.status = 'FAILED' then 'ERROR' else 'INFO' end,
        case when d.status = 'FAILED' then 'Health check failed: connection refused on :8080'
             else 'Health check passed.' end,
        d.finished_at - interval '1 second', d.status in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK')),
      (5, 'STATUS_CHANGED', case when d.status = 'ROLLED_BACK' then 'SUCCEEDED' else d.status end,
        case d.status when 'FAILED' then 'ERROR' when 'CANCELLED' then 'WARN' else 'INFO' end,
        case when d.status = 'CANCELLED' then 'Cancelled by a user.'
             when d.status = 'FAILED' then 'Status changed from RUNNING to FAILED.'
             else 'Status changed from RUNNING to SUCCEEDED.' end,
        d.finished_at, d.finished_at is not null),
      (6, 'STATUS_CHANGED', 'ROLLED_BACK', 'WARN',
        format('Rolled back to %s by deployment %s.', rollback.version, rollback.id),
        rollback.finished_at, d.status = 'ROLLED_BACK')
    ) as step(n, type, status, level, message, at, present)
    where step.present`);
  const [check] = (
    await client.query<{ mismatched: string }>(`
      select count(*) as mismatched from deployments.deployments d
      where last_event_sequence <> (
        select count(*) from deployments.deployment_events e where e.deployment_id = d.id)`)
  ).rows;
  if (check?.mismatched !== '0')
    throw new Error(`${check?.mismatched} deployments disagree with their events`);
  await client.query('commit');
  return events.rowCount ?? 0;
}
