import { Migration } from '@mikro-orm/migrations';
import { changeLogTablesSql } from '../../kit/change-log-tables';

export class Migration20261130190000ChangeLog extends Migration {
  override async up(): Promise<void> {
    // Stored change records for resumable change streams (subgraphs/kit/change-log.ts): each
    // stream (a topic within a scope) numbers its changes 1, 2, 3… under its head row's lock.
    this.addSql(changeLogTablesSql('messages'));
  }
}
