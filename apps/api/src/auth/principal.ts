// Who a request acts as, and the one decision of what it may do. Every route's scope comes
// from the contracts' route table; the namespace from its `{ns}` path parameter.
import { ALL_NAMESPACES, SnapfleetError, type TokenScope } from '@snapfleet/contracts';

export interface Principal {
  /** Token id, `bootstrap-admin`, or `anonymous` when auth is off. */
  id: string;
  name: string;
  scopes: ReadonlySet<TokenScope>;
  /** `*` = every namespace. */
  namespaces: ReadonlySet<string>;
}

export const ANONYMOUS: Principal = {
  id: 'anonymous',
  name: 'auth off (SNAPFLEET_AUTH=off)',
  scopes: new Set(['read', 'write', 'admin']),
  namespaces: new Set([ALL_NAMESPACES]),
};

/** Admin tokens may do everything, in every namespace; others what their scopes and namespaces say. */
export function mayAccess(p: Principal, scope: TokenScope, namespace?: string): boolean {
  if (p.scopes.has('admin')) return true;
  if (!p.scopes.has(scope)) return false;
  return namespace === undefined || p.namespaces.has(ALL_NAMESPACES) || p.namespaces.has(namespace);
}

/** 403 naming what was missing, but never anything about the data asked for. */
export function permissionDenied(p: Principal, scope: TokenScope, namespace?: string): SnapfleetError {
  const where = namespace === undefined ? '' : ` in namespace ${namespace}`;
  return new SnapfleetError('permission_denied', `token ${p.id} may not ${scope}${where}`, {
    token: p.id,
    scope,
    ...(namespace === undefined ? {} : { namespace }),
  });
}
