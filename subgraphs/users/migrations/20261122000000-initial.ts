import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users"."organizations" (
        "id" uuid primary key,
        "name" text not null,
        "slug" text not null unique,
        "created_at" timestamptz not null
      );
      create table "users"."users" (
        "id" uuid primary key,
        "organization_id" uuid not null references "users"."organizations" ("id"),
        "username" text not null,
        "email" text not null,
        "display_name" text not null,
        "role" text not null check ("role" in ('ADMIN', 'OPERATOR', 'DEVELOPER', 'VIEWER')),
        "password_hash" text not null,
        "created_at" timestamptz not null
      );
      -- Usernames and emails are unique whatever their letter case.
      create unique index "users_username_lower_unique" on "users"."users" (lower("username"));
      create unique index "users_email_lower_unique" on "users"."users" (lower("email"));
      -- The users(first, after) keyset within an organization.
      create index "users_organization_page" on "users"."users" ("organization_id", "created_at", "id");

      create table "users"."sessions" (
        "id" uuid primary key,
        "user_id" uuid not null references "users"."users" ("id") on delete cascade,
        "created_at" timestamptz not null,
        "expires_at" timestamptz not null,
        "revoked_at" timestamptz null
      );
      create index "sessions_user" on "users"."sessions" ("user_id");

      create table "users"."refresh_tokens" (
        "token_hash" text primary key,
        "session_id" uuid not null references "users"."sessions" ("id") on delete cascade,
        "created_at" timestamptz not null,
        "spent_at" timestamptz null
      );
      create index "refresh_tokens_session" on "users"."refresh_tokens" ("session_id");

      create table "users"."api_keys" (
        "id" uuid primary key,
        "organization_id" uuid not null references "users"."organizations" ("id"),
        "created_by" uuid not null references "users"."users" ("id"),
        "name" text not null,
        "role" text not null check ("role" in ('ADMIN', 'OPERATOR', 'DEVELOPER', 'VIEWER')),
        "secret_hash" text not null unique,
        "created_at" timestamptz not null,
        "revoked_at" timestamptz null
      );
      create index "api_keys_organization" on "users"."api_keys" ("organization_id", "created_at");
    `);
  }
}
