import { Migration } from '@mikro-orm/migrations';

export class Migration20261122020000Initial extends Migration {
  override async up(): Promise<void> {
    // organization_id, node_id and triggered_by name rows of other subgraphs: no foreign keys
    // across subgraph boundaries.
    this.addSql(`
      create table "deployments"."deployments" (
        "id" uuid primary key,
        "organization_id" uuid not null,
        "node_id" uuid not null,
        "application" text not null,
        "version" text not null,
        "environment" text not null,
        "status" text not null
          check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'ROLLED_BACK')),
        "triggered_by" uuid not null,
        "rollback_of" uuid null references "deployments"."deployments" ("id"),
        "created_at" timestamptz not null,
        "started_at" timestamptz null,
        "finished_at" timestamptz null,
        "last_event_sequence" integer not null default 0
      );
      -- At most one RUNNING deployment per application and node, whatever races the code loses.
      create unique index "deployments_one_running_per_application"
        on "deployments"."deployments" ("node_id", "application") where "status" = 'RUNNING';
      -- The deployments(filter, first, after) keysets (newest first): unfiltered and by each
      -- filter field; the status one also serves deploymentStats.
      create index "deployments_organization_page"
        on "deployments"."deployments" ("organization_id", "created_at", "id");
      create index "deployments_status_page"
        on "deployments"."deployments" ("organization_id", "status", "created_at", "id");
      create index "deployments_application_page"
        on "deployments"."deployments" ("organization_id", "application", "created_at", "id");
      create index "deployments_environment_page"
        on "deployments"."deployments" ("organization_id", "environment", "created_at", "id");
      -- Node.deployments and the nodeId filter; with status: the claim queue (oldest QUEUED) and
      -- the search for the previous successful version a rollback returns to.
      create index "deployments_node_page"
        on "deployments"."deployments" ("node_id", "created_at", "id");
      create index "deployments_node_status_page"
        on "deployments"."deployments" ("node_id", "status", "created_at", "id");
      -- User.deployments.
      create index "deployments_triggered_by_page"
        on "deployments"."deployments" ("triggered_by", "created_at", "id");
      -- Pending rollbacks of a deployment.
      create index "deployments_rollback_of"
        on "deployments"."deployments" ("rollback_of") where "rollback_of" is not null;

      create table "deployments"."deployment_events" (
        "id" uuid primary key,
        "deployment_id" uuid not null references "deployments"."deployments" ("id") on delete cascade,
        "sequence" integer not null check ("sequence" > 0),
        "type" text not null check ("type" in ('STATUS_CHANGED', 'LOG')),
        "status" text null
          check ("status" in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'ROLLED_BACK')),
        "level" text not null check ("level" in ('DEBUG', 'INFO', 'WARN', 'ERROR')),
        "message" text not null,
        "created_at" timestamptz not null,
        -- A status change names its status; a log line does not.
        check (("type" = 'STATUS_CHANGED') = ("status" is not null))
      );
      -- Numbered without gaps per deployment; also every events page (forward and latest).
      create unique index "deployment_events_sequence"
        on "deployments"."deployment_events" ("deployment_id", "sequence");
    `);
  }
}
