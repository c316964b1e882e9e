import { Migration } from '@mikro-orm/migrations';

export class Migration20261203240000RecentRevocations extends Migration {
  override async up(): Promise<void> {
    // The sessions revoked within an access token's lifetime, read again and again to keep the
    // revocation list in Redis whole (services/revocation-keeper.ts).
    this.addSql(`
      create index "sessions_revoked" on "users"."sessions" ("revoked_at")
        where "revoked_at" is not null;
    `);
  }
}
