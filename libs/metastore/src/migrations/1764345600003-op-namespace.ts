// The namespace an op ran in, kept with its durable result: a job known only from the op log
// (its entry in Redis expired) can then be shown to a token of that namespace, not to admins
// only. NULL for host-wide ops (cleanup, fsck) and for records written before this migration.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OpNamespace1764345600003 implements MigrationInterface {
  name = 'OpNamespace1764345600003';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ops ADD COLUMN namespace VARCHAR(76) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER op');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE ops DROP COLUMN namespace');
  }
}
