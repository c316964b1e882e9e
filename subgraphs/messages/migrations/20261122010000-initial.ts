import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010000Initial extends Migration {
  override async up(): Promise<void> {
    // organization_id, created_by and author_id name rows of the users subgraph: no foreign keys
    // across subgraphs; the service checks them through the users subgraph instead.
    this.addSql(`
      create table "messages"."channels" (
        "id" uuid primary key,
        "organization_id" uuid not null,
        "name" text not null,
        "topic" text null,
        "kind" text not null check ("kind" in ('PUBLIC', 'PRIVATE')),
        "created_by" uuid not null,
        "created_at" timestamptz not null,
        "last_sequence" integer not null default 0
      );
      -- Names are unique within an organization whatever their case; also the channels(first,
      -- after) keyset is (name, id) within an organization.
      create unique index "channels_organization_name_unique"
        on "messages"."channels" ("organization_id", lower("name"));
      create index "channels_organization_page" on "messages"."channels" ("organization_id", "name", "id");

      create table "messages"."channel_members" (
        "channel_id" uuid not null references "messages"."channels" ("id") on delete cascade,
        "user_id" uuid not null,
        -- Millisecond precision: it is part of the members(first, after) cursor, which carries
        -- a JavaScript date.
        "joined_at" timestamptz(3) not null,
        primary key ("channel_id", "user_id")
      );
      -- The members page of a channel, and the private channels a user may see.
      create index "channel_members_page" on "messages"."channel_members" ("channel_id", "joined_at", "user_id");
      create index "channel_members_user" on "messages"."channel_members" ("user_id");

      create table "messages"."messages" (
        "id" uuid primary key,
        "channel_id" uuid not null references "messages"."channels" ("id") on delete cascade,
        "sequence" integer not null,
        "author_id" uuid not null,
        "body" text not null,
        "client_message_id" text null,
        "created_at" timestamptz not null,
        "edited_at" timestamptz null,
        "deleted_at" timestamptz null
      );
      -- Pages of a channel in both directions, and cursor positions.
      create unique index "messages_channel_sequence" on "messages"."messages" ("channel_id", "sequence");
      -- postMessage idempotency; NULLs (no clientMessageId) never collide.
      create unique index "messages_author_client_id" on "messages"."messages" ("author_id", "client_message_id");
    `);
  }
}
