import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000ClaimLeases extends Migration {
  override async up(): Promise<void> {
    // A RUNNING deployment's lease: renewed by its agent's reports and heartbeats, and FAILED by
    // the lease sweeper once it lapses. The partial index holds RUNNING rows only, so the sweep
    // reads just the lapsed ones. Deployments already RUNNING get a grace period, not a lapsed
    // lease: their agents renew it from their next report or heartbeat.
    this.addSql(`
      alter table "deployments"."deployments" add column "lease_expires_at" timestamptz null;
      update "deployments"."deployments" set "lease_expires_at" = now() + interval '15 minutes'
        where "status" = 'RUNNING';
      create index "deployments_running_lease" on "deployments"."deployments" ("lease_expires_at")
        where "status" = 'RUNNING';
    `);
  }
}
