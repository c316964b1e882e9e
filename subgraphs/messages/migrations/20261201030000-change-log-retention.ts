import { Migration } from '@mikro-orm/migrations';
import { changeLogRetentionMigration } from '../../kit/change-log';

export class Migration20261201030000ChangeLogRetention extends Migration {
  override async up(): Promise<void> {
    // Change records are pruned after CHANGE_RETENTION_HOURS (kit/change-log.ts).
    this.addSql(changeLogRetentionMigration('messages'));
  }
}
