// Where the API serves what is not part of the /v1 route table: health, metrics, the OpenAPI
// document and its viewer, the fleet page and its assets, and the queue dashboard.
export const OPERATIONAL_PATHS = {
  root: '/',
  live: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
  docs: '/docs',
  openapi: '/docs/openapi.json',
  ui: '/ui',
  /** `{file}`: one of the page assets under apps/api/public/. */
  asset: '/assets/{file}',
  dashboard: '/admin/queues',
} as const;
