// The SQL of one walk batch: a namespace's snapshots after a cursor, in row order, narrowed
// by the equalities a containerd filter implies. Built here so its plan can be tested.
//
// Left alone, MariaDB may walk a namespace by the parent index and sort it (every row of the
// namespace read for each page). A page of `limit` rows should read about `limit` rows, so:
// - no name or parent test: the primary key, (host, namespace, id), is forced: rows are
//   clustered in walk order and carry their parent's key, so a page is one range scan;
// - name: the unique key finds the one row;
// - parent: the parent's id is looked up first, then its children by the parent index.
import type { Statement } from './meta-transaction';
import { keyHash, WALK_COLUMNS } from './rows';

export interface WalkConstraints {
  kind?: string;
  name?: string;
  parent?: string;
}

export function walkQuery(hostId: string, namespace: string, eq: WalkConstraints | undefined, cursor: number, batch: number): Statement {
  const where = ['s.host_id = ?', 's.namespace = ?'];
  const params: unknown[] = [hostId, namespace];
  if (eq?.kind !== undefined) {
    where.push('s.kind = ?');
    params.push(eq.kind);
  }
  if (eq?.name !== undefined) {
    where.push('s.key_hash = ?');
    params.push(keyHash(eq.name));
  }
  if (eq?.parent === '') where.push('s.parent_id IS NULL');
  else if (eq?.parent !== undefined) {
    where.push('s.parent_id = (SELECT pk.id FROM snapshots pk WHERE pk.host_id = ? AND pk.namespace = ? AND pk.key_hash = ?)');
    params.push(hostId, namespace, keyHash(eq.parent));
  }
  const byKey = eq?.name !== undefined || (eq?.parent !== undefined && eq.parent !== '');
  const hint = byKey ? '' : ' FORCE INDEX (PRIMARY)';
  return {
    sql: `SELECT ${WALK_COLUMNS} FROM snapshots s${hint}
          WHERE ${where.join(' AND ')} AND s.id > ? ORDER BY s.id LIMIT ?`,
    params: [...params, cursor, batch],
  };
}
