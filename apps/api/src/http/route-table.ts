// The contracts' route table seen by the HTTP layer: Nest paths for the controllers, and
// which methods a path has (so a wrong method is told 405 with Allow, not 404).
import { ROUTES, type RouteSpec } from '@snapfleet/contracts';
import { PENDING_ROUTES } from './pending-routes';

/** `/v1/jobs/{host}/{jobId}` → `/v1/jobs/:host/:jobId` (find-my-way's syntax). */
export function nestPath(route: Pick<RouteSpec, 'path'> & Partial<RouteSpec>): string {
  return route.path.replace(/\{(\w+)\}/g, ':$1');
}

/** Every public API route: the contracts' table and the entries waiting to join it. */
export const API_ROUTES: Readonly<Record<string, RouteSpec>> = { ...ROUTES, ...PENDING_ROUTES };

const MATCHERS = Object.values(API_ROUTES).map((r) => ({
  method: r.method,
  // A parameter is one non-empty segment, as the router matches it.
  re: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/** Methods served at `path` (a request path without its query), HEAD included with GET. */
export function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const m of MATCHERS) {
    if (!m.re.test(path)) continue;
    methods.add(m.method);
    if (m.method === 'GET') methods.add('HEAD');
  }
  return [...methods];
}
