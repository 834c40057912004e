// Content-Security-Policy of the pages for people. They load nothing from elsewhere: the
// fleet page and the docs viewer are our own files, and the queue dashboard (Bull Board)
// would fetch a web font from a CDN, which the policy stops, so an offline or air-gapped
// farm's browsers make no outside request (the page falls back to a local font). No page may
// be framed (the dashboard and the fleet page are admin pages).
const COMMON = ["default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'"];

/** The fleet page and the docs viewer: no inline script or style at all. */
export const PAGE_CSP = COMMON.join('; ');

/** Bull Board's page: its markup carries inline style attributes and a <style> element. */
export const DASHBOARD_CSP = [...COMMON, "style-src 'self' 'unsafe-inline'"].join('; ');
