import { Migration } from '@mikro-orm/migrations';

export class Migration20261204000000NodeSignInOrder extends Migration {
  override async up(): Promise<void> {
    // The signed timestamp of the node's last sign-in (services/node-auth-service.ts): a
    // signature is accepted only for a later one, so none is accepted twice, whatever Redis
    // keeps.
    this.addSql(`alter table "nodes"."nodes" add column "last_signed_at" bigint null;`);
  }
}
