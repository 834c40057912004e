// The document against what the application really serves: the API is built in-process (real
// MySQL and Redis) and every route Fastify registers for it — the controllers' routes, as
// Fastify's onRoute hook reports them — is in the document, and every documented route is
// registered. HEAD twins of GET routes and the queue dashboard's own JSON API (Bull Board's
// plugin, documented as the one page /admin/queues) are the only routes left out.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestDatabase, type TestDatabase } from '../../../../test/support/db';
import { createApiApp } from '../bootstrap';
import { ApiConfig } from '../config/api-config';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { buildOpenApi } from './openapi-document';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

let db: TestDatabase;
let app: NestFastifyApplication | undefined;
const registered: { method: string; url: string; prefix: string }[] = [];

beforeAll(async () => {
  db = makeTestDatabase('openapi_routes');
  const config = ApiConfig.fromEnv({ SNAPFLEET_MYSQL_URL: db.url, SNAPFLEET_REDIS_URL: REDIS_URL, SNAPFLEET_LOG_LEVEL: 'silent' });
  app = await createApiApp(config, {
    onRoute: (r) => {
      for (const method of [r.method].flat()) registered.push({ method, url: r.url, prefix: r.prefix ?? '' });
    },
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

it('documents exactly the routes the application registers', () => {
  const dashboard = OPERATIONAL_PATHS.dashboard;
  const served = registered
    .filter((r) => r.method !== 'HEAD')
    // Bull Board's plugin: its page is documented, its assets and JSON API are its own.
    .filter((r) => r.prefix !== dashboard || r.url === dashboard)
    .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
  const documented = Object.entries(buildOpenApi('test').document.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
  expect([...new Set(served)].sort()).toEqual(documented.sort());
  // The dashboard really is mounted (its page and its API), and every GET has its HEAD twin.
  expect(registered.some((r) => r.url === `${dashboard}/api/queues`)).toBe(true);
  const heads = new Set(registered.filter((r) => r.method === 'HEAD').map((r) => r.url));
  for (const r of registered.filter((x) => x.method === 'GET' && x.prefix === '')) expect(heads.has(r.url), r.url).toBe(true);
});

it('serves the document it was built from', async () => {
  const res = await app!.getHttpAdapter().getInstance().inject({ method: 'GET', url: OPERATIONAL_PATHS.openapi });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual(buildOpenApi(JSON.parse(res.body).info.version).document);
});
