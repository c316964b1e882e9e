import { Migration } from '@mikro-orm/migrations';

export class Migration20261130190000ChangeLog extends Migration {
  override async up(): Promise<void> {
    // Stored change records for resumable change streams (subgraphs/kit/change-log.ts): each
    // stream (a topic within a scope) numbers its changes 1, 2, 3… under its head row's lock.
    this.addSql(`
      create table "deployments"."change_log_heads" (
        "topic" text not null,
        "stream" uuid not null,
        "position" bigint not null,
        primary key ("topic", "stream")
      );
      create table "deployments"."change_log" (
        "topic" text not null,
        "stream" uuid not null,
        "position" bigint not null check ("position" > 0),
        "payload" jsonb not null,
        "recorded_at" timestamptz not null default clock_timestamp(),
        -- Replay after a cursor, and the head check of an idle stream.
        primary key ("topic", "stream", "position")
      );
    `);
  }
}
