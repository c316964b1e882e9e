import { Migration } from '@mikro-orm/migrations';

export class Migration20261203230000RetirementOutbox extends Migration {
  override async up(): Promise<void> {
    // Decommissioned nodes whose retirement the deployments subgraph has not confirmed yet
    // (services/retirements.ts). Nodes decommissioned before this table existed start in it,
    // so that a queue whose one announcement was lost is retired now.
    this.addSql(`
      create table "nodes"."retirement_outbox" (
        "node_id" uuid primary key,
        "organization_id" uuid not null,
        "decommissioned_at" timestamptz not null,
        "announced_at" timestamptz not null
      );
    `);
    this.addSql(`
      insert into "nodes"."retirement_outbox"
        ("node_id", "organization_id", "decommissioned_at", "announced_at")
      select "id", "organization_id", "status_changed_at", 'epoch'
        from "nodes"."nodes" where "status" = 'DECOMMISSIONED';
    `);
  }
}
