import { Migration } from '@mikro-orm/migrations';

export class Migration20261203200000RetiredNodes extends Migration {
  override async up(): Promise<void> {
    // The nodes this subgraph has heard were decommissioned (services/retired-nodes.ts). Nodes
    // decommissioned before this table existed are not in it: the nodes subgraph, asked before
    // every deployment is queued, refuses them already; the table closes the race around the
    // moment of decommissioning.
    this.addSql(`
      create table "deployments"."retired_nodes" (
        "node_id" uuid primary key,
        "organization_id" uuid not null,
        "retired_at" timestamptz not null default now()
      );
    `);
  }
}
