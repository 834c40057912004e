// The pages as a person sees them: Debian's Chromium (driven by playwright-core, headless,
// a fresh empty profile, every request outside this machine refused) against a real fleet.
// Auth is on: the page asks for a token (a non-admin one is refused), the dashboard is
// refused until the page has signed in. Then the fleet page shows the host up with its pool,
// the namespace's snapshot count and its tree — including a snapshot made through the API
// while the page is open — and the queue dashboard lists the host's queue. Screenshots go to docs/screenshots/. Without
// /usr/bin/chromium the test fails (apt-get install -y chromium); it never skips.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/dist';
import { startFleet, type Fleet } from '../support/fleet';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'screenshots');
const ns = 'browser';
const ADMIN = `browser-admin-${'x'.repeat(24)}`;
/** A write+read token of the namespace, made by the admin: what the snapshots are made with. */
let writer: string;

let fleet: Fleet;
let api: string;
let host: string;
let profile: string;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
/** Requests of the pages to anywhere but this fleet's API (refused; there must be none). */
const outside: string[] = [];
/** Those of them that left the browser (not stopped by the page's Content-Security-Policy). */
let sentOutside: () => string[] = () => outside;

async function post(path: string, body: unknown, token = writer): Promise<unknown> {
  const r = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  expect(r.status, text).toBe(201);
  return JSON.parse(text);
}
const snapshots = (suffix = '') => `/v1/namespaces/${ns}/hosts/${host}/snapshots${suffix}`;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium package (apt-get install -y chromium)`);
  }
  fleet = await startFleet({ label: 'browser', hosts: 1, apis: 1, apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: ADMIN } });
  api = fleet.apis[0]!.url;
  host = fleet.hosts[0]!.id;
  writer = ((await post('/v1/tokens', { name: 'browser test writer', namespaces: [ns], scopes: ['read', 'write'] }, ADMIN)) as { token: string }).token;
  await mkdir(SCREENSHOTS, { recursive: true });
  profile = await mkdtemp(join(tmpdir(), 'snapfleet-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // The pages must work offline: anything but loopback goes to a proxy that is not there,
      // so it is refused. (Not Playwright's request routing: routing turns the HTTP cache off,
      // and the page's revalidation with ETags is under test.)
      '--proxy-server=http://127.0.0.1:9',
    ],
    viewport: { width: 1280, height: 860 },
  });
  const origin = new URL(api).origin;
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  // Chromium reports a load its page's CSP stopped as a failed request; that one never left.
  const isOutside = (url: string) => new URL(url).origin !== origin && !url.startsWith('data:');
  const blockedByPolicy = new Set<string>();
  page.on('requestfailed', (r) => {
    if (isOutside(r.url()) && ['csp', 'net::ERR_BLOCKED_BY_CSP'].includes(r.failure()?.errorText ?? '')) blockedByPolicy.add(r.url());
  });
  page.on('request', (r) => {
    if (isOutside(r.url())) outside.push(r.url());
  });
  sentOutside = () => outside.filter((url) => !blockedByPolicy.has(url));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await fleet?.dispose();
});

describe('the fleet page', () => {
  it('shows the host up, its namespaces, and the snapshot tree, live', async () => {
    await post(snapshots(), { key: 'base-build' });
    await post(snapshots('/base-build/commit'), { name: 'base', labels: { 'containerd.io/snapshot/layer': 'base' } });
    await post(snapshots(), { key: 'app-layer', parent: 'base' });

    // Not signed in: the dashboard refuses, the page asks for a token.
    expect((await page.goto(`${api}/admin/queues`))?.status()).toBe(401);
    await page.goto(`${api}/ui`);
    await page.locator('#signin-form').waitFor();
    // A token without admin scope is not enough for the fleet page.
    await page.fill('#token', writer);
    await page.click('#signin-form button[type=submit]');
    await expect.poll(() => page.locator('#signin-error').textContent()).toMatch(/may not admin/);
    await page.fill('#token', ADMIN);
    await page.click('#signin-form button[type=submit]');
    const row = page.locator(`tr[data-host="${host}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-status')).toBe('up');
    expect(await row.locator('.pool span').textContent()).toMatch(/MiB|GiB/);

    await row.click();
    await page.locator(`li[data-ns="${ns}"]`).click();
    await expect.poll(() => page.locator(`li[data-ns="${ns}"] .count`).textContent(), { timeout: 10_000 }).toBe('2');
    await page.locator('#tree li[data-key="base"] li[data-key="app-layer"]').waitFor();

    // Made while the page is open: it appears within a couple of polls.
    await post(snapshots(), { key: 'inspect', parent: 'base', kind: 'view' });
    await page.locator('#tree li[data-key="base"] li[data-key="inspect"][data-kind="view"]').waitFor({ timeout: 10_000 });
    // The tree and the counts can come from two polls (the view landed between their reads).
    await expect.poll(() => page.locator(`li[data-ns="${ns}"] .count`).textContent(), { timeout: 10_000 }).toBe('3');
    expect(await page.locator('#status').textContent()).toMatch(/^live/);

    // Nothing changes now: the page's next polls revalidate what the browser kept (ETag,
    // If-None-Match) and the API answers the unchanged walk page with a bodiless 304.
    const walk304 = async () => {
      const text = await (await fetch(`${api}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('snapfleet_api_http_request_duration_seconds_count{') && l.includes('route="/v1/namespaces/:ns/hosts/:host/snapshots"') && l.includes('method="GET"') && l.includes('status="304"'));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const before = await walk304();
    await expect.poll(walk304, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);
    expect(await page.locator('#tree li[data-key="base"] li[data-key="inspect"][data-kind="view"]').count()).toBe(1);

    await page.screenshot({ path: join(SCREENSHOTS, 'fleet-page.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(sentOutside()).toEqual([]);
  });
});

describe('the queue dashboard', () => {
  it('lists the host\'s queue', async () => {
    const res = await page.goto(`${api}/admin/queues`, { waitUntil: 'domcontentloaded' });
    // Bull Board's page links a web font on a CDN; the policy keeps the browser from asking.
    expect(res?.headers()['content-security-policy']).toMatch(/^default-src 'self';.*frame-ancestors 'none'/);
    await page.getByText(`snapshots-${host}`).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(sentOutside()).toEqual([]);
  });
});

describe('the API docs', () => {
  it('renders every operation of the OpenAPI document', async () => {
    const res = await page.goto(`${api}/docs`);
    expect(res?.headers()['content-security-policy']).toBe("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    await page.locator('section#createSnapshot').waitFor();
    const doc = (await (await fetch(`${api}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(await page.locator('section.op').count()).toBe(operations);
    await page.screenshot({ path: join(SCREENSHOTS, 'api-docs.png') });
    expect(pageErrors).toEqual([]);
    expect(sentOutside()).toEqual([]);
  });
});
