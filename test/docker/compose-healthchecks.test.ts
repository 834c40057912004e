// The compose file's healthchecks run against real processes: the API with auth on (as the
// compose file starts it, with an admin token) and a worker on its pool. Each check's own
// command is run with `node`, its address pointed at the process, and must pass; pointed at a
// closed port, it must fail. A check on a route that wants a token would fail here.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/dist';
import { freePort, startFleet, type Fleet } from '../support/fleet';
import { loadCompose, type ComposeService } from './compose-file';

const services = loadCompose(join(REPO_ROOT, 'docker', 'compose.yaml')).data.services;

let fleet: Fleet;
let apiUrl: string;
let workerUrl: string;

beforeAll(async () => {
  fleet = await startFleet({
    label: 'healthchecks',
    hosts: 1,
    apis: 1,
    workersPerHost: 0,
    apiEnv: { SNAPFLEET_AUTH: 'on', SNAPFLEET_ADMIN_TOKEN: `compose-admin-${'c'.repeat(24)}` },
  });
  apiUrl = fleet.apis[0]!.url;
  const port = await freePort();
  await fleet.startWorker(fleet.hosts[0]!.id, { SNAPFLEET_WORKER_HTTP_PORT: String(port) });
  workerUrl = `http://127.0.0.1:${port}`;
}, 120_000);
afterAll(async () => fleet?.dispose());

/** The script of a `["CMD", "node", "-e", script]` healthcheck, and the base URL it checks. */
function nodeCheck(service: ComposeService): { script: string; base: string } {
  const test = (service.healthcheck as { test?: unknown } | undefined)?.test;
  expect(Array.isArray(test) && test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  const script = String((test as unknown[])[3]);
  const base = /http:\/\/127\.0\.0\.1:\d+/.exec(script)?.[0];
  expect(base, script).toBeDefined();
  return { script, base: base! };
}

function runCheck(script: string): number | null {
  return spawnSync(process.execPath, ['-e', script], { timeout: 15_000 }).status;
}

it("the API's check passes against an API that wants tokens, and fails when nothing listens", async () => {
  const { script, base } = nodeCheck(services.api!);
  // The API wants a token on its /v1 routes: a check there would see 401.
  expect((await fetch(`${apiUrl}/v1/hosts`)).status).toBe(401);
  expect(runCheck(script.replace(base, apiUrl))).toBe(0);
  expect(runCheck(script.replace(base, `http://127.0.0.1:${await freePort()}`))).toBe(1);
});

it("each worker's check passes against a ready worker, and fails when nothing listens", async () => {
  for (const name of ['worker-host-a', 'worker-host-b']) {
    const { script, base } = nodeCheck(services[name]!);
    expect(runCheck(script.replace(base, workerUrl)), name).toBe(0);
    expect(runCheck(script.replace(base, `http://127.0.0.1:${await freePort()}`)), name).toBe(1);
  }
});
