// Fencing tokens: the highest lock token seen per (host, namespace, key). A worker that lost
// its Redis lock (paused past the TTL) still holds its old token; its commit is refused once
// a newer holder has registered a higher one.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Fences1764345600001 implements MigrationInterface {
  name = 'Fences1764345600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fences (
        host_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        namespace VARCHAR(76) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        key_hash BINARY(32) NOT NULL,
        token BIGINT UNSIGNED NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (host_id, namespace, key_hash),
        KEY fences_updated (updated_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fences');
  }
}
