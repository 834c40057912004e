// Public API routes the API serves that libs/contracts' ROUTES does not list yet. Each entry
// is written exactly as it should be added to ROUTES (and its schema to contracts' http.ts);
// until then the controllers, the 405 table and the OpenAPI document read it from here.
import { API_VERSION_PREFIX, NamespaceSchema, type RouteSpec } from '@snapfleet/contracts';
import { z } from 'zod';

/** Snapshot counts per namespace on one host (the fleet page's namespace list). */
export const NamespaceCountsSchema = z.object({
  namespaces: z.array(
    z.object({
      name: NamespaceSchema,
      count: z.number().int().nonnegative().describe('snapshots of every kind in this namespace on the host'),
    }),
  ),
});
export type NamespaceCounts = z.infer<typeof NamespaceCountsSchema>;

export const PENDING_ROUTES = {
  listNamespaces: {
    method: 'GET',
    path: `${API_VERSION_PREFIX}/hosts/{host}/namespaces`,
    summary: 'Namespaces with snapshots on a host, and how many each has',
    status: 200,
    response: NamespaceCountsSchema,
    conditional: true,
    scope: 'admin',
  },
} as const satisfies Record<string, RouteSpec>;
