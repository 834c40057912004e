// API token rows. The store keeps hashes and grants; minting secrets and checking them is
// the API's business (apps/api AuthService), so this layer never sees a secret.
import type { DataSource } from 'typeorm';

export interface TokenRecord {
  id: string;
  name: string;
  secretSha256: Buffer;
  namespaces: string[];
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

type Row = {
  id: string;
  name: string;
  secret_sha256: Buffer;
  namespaces: string;
  scopes: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
};

const COLUMNS = 'id, name, secret_sha256, namespaces, scopes, created_at, expires_at, revoked_at';

function toRecord(r: Row): TokenRecord {
  return {
    id: r.id,
    name: r.name,
    secretSha256: r.secret_sha256,
    namespaces: JSON.parse(r.namespaces) as string[],
    scopes: r.scopes === '' ? [] : r.scopes.split(','),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

export class TokenStore {
  constructor(private readonly ds: DataSource) {}

  async insert(t: Omit<TokenRecord, 'revokedAt'>): Promise<void> {
    await this.ds.query(`INSERT INTO api_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`, [
      t.id,
      t.name,
      t.secretSha256,
      JSON.stringify(t.namespaces),
      t.scopes.join(','),
      t.createdAt,
      t.expiresAt,
    ]);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const rows = (await this.ds.query(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`, [id])) as Row[];
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async list(): Promise<TokenRecord[]> {
    const rows = (await this.ds.query(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`)) as Row[];
    return rows.map(toRecord);
  }

  /** Marks the token revoked (first revocation time wins); false when there is no such token. */
  async revoke(id: string, at: Date): Promise<boolean> {
    await this.ds.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?', [at, id]);
    const rows = (await this.ds.query('SELECT 1 AS x FROM api_tokens WHERE id = ?', [id])) as unknown[];
    return rows.length > 0;
  }
}
