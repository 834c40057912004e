// ┌───────────────────────────────────────────────────────────────────────────────────────┐
// │ THE admin authorization hook. Every admin surface (today: the queue dashboard at        │
// │ /admin/queues, page, assets and JSON API) passes through `authorizeAdmin`, and nothing  │
// │ else decides who is an admin. Issue 5 (auth) replaces its body; until then it ALLOWS    │
// │ EVERY REQUEST, which is why the dashboard is mounted read-only (DASHBOARD_READ_ONLY).   │
// └───────────────────────────────────────────────────────────────────────────────────────┘
import type { FastifyRequest } from 'fastify';

export type AdminDecision = { allowed: true } | { allowed: false; status: 401 | 403; detail: string };

/** Until admins can be told apart, nobody may retry, clean, pause or remove jobs from the dashboard. */
export const DASHBOARD_READ_ONLY = true;

export function authorizeAdmin(_request: FastifyRequest): AdminDecision {
  // TODO(issue 5): check the admin token; answer 401 without one, 403 for a non-admin.
  return { allowed: true };
}
