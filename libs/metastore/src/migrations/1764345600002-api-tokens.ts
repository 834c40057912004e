// API tokens: a public id, the SHA-256 of the secret (never the secret), what it may do and
// where. Revocation keeps the row (revoked_at) so lists and audits still show the token.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiTokens1764345600002 implements MigrationInterface {
  name = 'ApiTokens1764345600002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id CHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        name VARCHAR(128) NOT NULL,
        secret_sha256 BINARY(32) NOT NULL,
        namespaces TEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        scopes SET('read', 'write', 'admin') NOT NULL,
        created_at DATETIME(3) NOT NULL,
        expires_at DATETIME(3) NULL,
        revoked_at DATETIME(3) NULL,
        PRIMARY KEY (id),
        CONSTRAINT api_tokens_id_hex CHECK (id REGEXP '^[0-9a-f]{16}$'),
        CONSTRAINT api_tokens_has_scope CHECK (scopes <> ''),
        CONSTRAINT api_tokens_namespaces_json CHECK (JSON_VALID(namespaces) AND JSON_TYPE(namespaces) = 'ARRAY')
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE api_tokens');
  }
}
