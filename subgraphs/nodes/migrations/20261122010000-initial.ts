import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010000Initial extends Migration {
  override async up(): Promise<void> {
    // organization_id and registered_by name rows of the users subgraph: no foreign keys across
    // subgraph boundaries.
    this.addSql(`
      create table "nodes"."nodes" (
        "id" uuid primary key,
        "organization_id" uuid not null,
        "registered_by" uuid not null,
        "name" text not null,
        "kind" text not null check ("kind" in ('DOCKER_HOST', 'SWARM', 'KUBERNETES', 'VM', 'PHYSICAL')),
        "status" text not null
          check ("status" in ('PENDING', 'ONLINE', 'DEGRADED', 'OFFLINE', 'DECOMMISSIONED')),
        "status_changed_at" timestamptz not null,
        "region" text not null,
        "labels" text[] not null default '{}',
        "public_key" text not null,
        "last_heartbeat_at" timestamptz null,
        "cpu_percent" double precision null,
        "memory_percent" double precision null,
        "disk_percent" double precision null,
        "agent_version" text null,
        "created_at" timestamptz not null
      );
      -- Names and keys identify a live node; a decommissioned node frees them.
      create unique index "nodes_name_unique" on "nodes"."nodes" ("organization_id", lower("name"))
        where "status" <> 'DECOMMISSIONED';
      create unique index "nodes_public_key_unique" on "nodes"."nodes" ("organization_id", "public_key")
        where "status" <> 'DECOMMISSIONED';
      -- The nodes(filter, first, after) keysets: unfiltered, and by each filter field.
      create index "nodes_organization_page" on "nodes"."nodes" ("organization_id", "created_at", "id");
      create index "nodes_status_page" on "nodes"."nodes" ("organization_id", "status", "created_at", "id");
      create index "nodes_kind_page" on "nodes"."nodes" ("organization_id", "kind", "created_at", "id");
      create index "nodes_region_page" on "nodes"."nodes" ("organization_id", "region", "created_at", "id");
      -- The sweeper's scan: only heartbeating nodes can fall silent.
      create index "nodes_heartbeat_sweep" on "nodes"."nodes" ("last_heartbeat_at")
        where "status" in ('ONLINE', 'DEGRADED');
    `);
  }
}
