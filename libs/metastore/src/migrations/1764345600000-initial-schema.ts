// First schema: hosts, their heartbeats, snapshots and the op log. The constraints carry the
// snapshot model's invariants so that a bug in the code above cannot store an illegal state:
// keys unique per (host, namespace); a parent exists, lives in the same host and namespace
// and is committed; usage only on committed snapshots; no removal of a parent with children.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764345600000 implements MigrationInterface {
  name = 'InitialSchema1764345600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE hosts (
        id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        root VARCHAR(1024) NOT NULL,
        device VARCHAR(1024) NOT NULL,
        fsid CHAR(36) CHARACTER SET ascii NOT NULL,
        version VARCHAR(64) NOT NULL,
        registered_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        CONSTRAINT hosts_id_format CHECK (id REGEXP '^[a-z0-9][a-z0-9-]{0,62}$')
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    // Heartbeats live apart from hosts: every snapshot insert takes a shared lock on its
    // hosts row (foreign key), and a heartbeat UPDATE there would stall the op pipeline.
    await q.query(`
      CREATE TABLE host_status (
        host_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        heartbeat_at DATETIME(3) NOT NULL,
        size_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
        free_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
        draining TINYINT(1) NOT NULL DEFAULT 0,
        workers INT UNSIGNED NOT NULL DEFAULT 0,
        PRIMARY KEY (host_id),
        CONSTRAINT host_status_host FOREIGN KEY (host_id) REFERENCES hosts (id) ON DELETE CASCADE
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    // key_hash (SHA-256 of the key) carries uniqueness: a 4096-byte key is longer than
    // InnoDB's 3072-byte index limit.
    await q.query(`
      CREATE TABLE snapshots (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        host_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        namespace VARCHAR(76) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        key_hash BINARY(32) NOT NULL,
        skey VARBINARY(4096) NOT NULL,
        kind ENUM('active','view','committed') NOT NULL,
        parent_id BIGINT UNSIGNED NULL,
        parent_kind ENUM('active','view','committed') NULL,
        labels LONGTEXT NOT NULL,
        created_at DATETIME(6) NOT NULL,
        updated_at DATETIME(6) NOT NULL,
        subvolume_id BIGINT UNSIGNED NULL,
        size_bytes BIGINT UNSIGNED NULL,
        inodes BIGINT UNSIGNED NULL,
        op_id VARCHAR(255) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY snapshots_key (host_id, namespace, key_hash),
        KEY snapshots_ref (host_id, namespace, id, kind),
        KEY snapshots_parent (host_id, namespace, parent_id, parent_kind),
        CONSTRAINT snapshots_host FOREIGN KEY (host_id) REFERENCES hosts (id),
        CONSTRAINT snapshots_parent FOREIGN KEY (host_id, namespace, parent_id, parent_kind)
          REFERENCES snapshots (host_id, namespace, id, kind),
        CONSTRAINT snapshots_parent_committed CHECK (parent_kind = 'committed'),
        CONSTRAINT snapshots_parent_pair CHECK ((parent_id IS NULL) = (parent_kind IS NULL)),
        CONSTRAINT snapshots_usage_committed CHECK (kind = 'committed' OR (size_bytes IS NULL AND inodes IS NULL)),
        CONSTRAINT snapshots_key_length CHECK (OCTET_LENGTH(skey) BETWEEN 1 AND 4096),
        CONSTRAINT snapshots_labels_json CHECK (JSON_VALID(labels))
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
    // One row per op that took effect, written in the op's own transaction: a retried job
    // finds its first result here instead of failing with already_exists.
    await q.query(`
      CREATE TABLE ops (
        host_id VARCHAR(63) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        op_id VARCHAR(255) NOT NULL,
        op VARCHAR(16) CHARACTER SET ascii NOT NULL,
        result LONGTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (host_id, op_id),
        KEY ops_created (created_at),
        CONSTRAINT ops_host FOREIGN KEY (host_id) REFERENCES hosts (id),
        CONSTRAINT ops_result_json CHECK (JSON_VALID(result))
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ops');
    await q.query('DROP TABLE snapshots');
    await q.query('DROP TABLE host_status');
    await q.query('DROP TABLE hosts');
  }
}
