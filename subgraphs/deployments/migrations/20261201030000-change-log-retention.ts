import { Migration } from '@mikro-orm/migrations';
import { changeLogRetentionSql } from '../../kit/change-log-tables';

export class Migration20261201030000ChangeLogRetention extends Migration {
  override async up(): Promise<void> {
    // Change records are pruned after CHANGE_RETENTION_HOURS (kit/change-log.ts).
    this.addSql(changeLogRetentionSql('deployments'));
  }
}
