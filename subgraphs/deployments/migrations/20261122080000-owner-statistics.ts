import { Migration } from '@mikro-orm/migrations';

export class Migration20261122080000OwnerStatistics extends Migration {
  override async up(): Promise<void> {
    // A node's (or a user's) deployments all belong to its organization, so `node_id = ? and
    // organization_id = ?` selects as many rows as `node_id = ?` alone. Without these statistics
    // the planner multiplies the two selectivities, expects about one row per node, and reads
    // Node.deployments and User.deployments by sorting every deployment of the node instead of
    // walking the (node_id, created_at, id) index for just the page. ANALYZE (autovacuum's
    // included) fills them.
    this.addSql(`
      create statistics "deployments"."deployments_node_organization" (dependencies)
        on "node_id", "organization_id" from "deployments"."deployments";
      create statistics "deployments"."deployments_triggered_by_organization" (dependencies)
        on "triggered_by", "organization_id" from "deployments"."deployments";
    `);
  }
}
