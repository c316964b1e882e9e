/**
 * The tables behind resumable change streams (subgraphs/kit/change-log.ts), created in a
 * subgraph's own schema. Each subgraph's change-log migration calls this, so the statement is the
 * same text for all of them — and must stay so: a migration already applied has to keep producing
 * the SQL it ran. A later change to these tables belongs in a new migration, not here.
 */
export function changeLogTablesSql(schema: string): string {
  return `
      create table "${schema}"."change_log_heads" (
        "topic" text not null,
        "stream" uuid not null,
        "position" bigint not null,
        primary key ("topic", "stream")
      );
      create table "${schema}"."change_log" (
        "topic" text not null,
        "stream" uuid not null,
        "position" bigint not null check ("position" > 0),
        "payload" jsonb not null,
        "recorded_at" timestamptz not null default clock_timestamp(),
        -- Replay after a cursor, and the head check of an idle stream.
        primary key ("topic", "stream", "position")
      );
    `;
}

/**
 * What lets a schema's change log be pruned after its retention (change-log.ts, pruneChanges):
 * the index the prune reads by time, and each stream's prune mark. Frozen like the above.
 */
export function changeLogRetentionSql(schema: string): string {
  return `
      create index "change_log_recorded_at" on "${schema}"."change_log" ("recorded_at");
      create table "${schema}"."change_log_pruned" (
        "topic" text not null,
        "stream" uuid not null,
        -- Every position up to this one is gone: a cursor before it is CURSOR_EXPIRED.
        "through" bigint not null,
        primary key ("topic", "stream")
      );
    `;
}
