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
