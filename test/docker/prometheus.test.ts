// docker/prometheus: promtool accepts the config and its rules, the rules' unit tests pass
// (alerts.test.yml: each alert fires on what should fire it and not on its near misses), the
// scrape jobs are the ones the rules select and point at the compose services' ports, and
// every snapfleet metric a rule reads is one a real API and a real worker export.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/dist';
import { freePort, startFleet, type Fleet } from '../support/fleet';
import { loadCompose, serviceEnv } from './compose-file';
import { parseYamlSubset } from './yaml-subset';

const DIR = join(REPO_ROOT, 'docker', 'prometheus');
const rulesText = readFileSync(join(DIR, 'alerts.yml'), 'utf8');
const config = parseYamlSubset(readFileSync(join(DIR, 'prometheus.yml'), 'utf8')) as {
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
};
const services = loadCompose(join(REPO_ROOT, 'docker', 'compose.yaml')).data.services;

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  // promtool comes from Debian's prometheus package (npm test installs it); without it this fails.
  expect(r.error, 'promtool must be installed (apt-get install prometheus)').toBeUndefined();
  return r;
}

describe('promtool', () => {
  it('accepts the config and the rule file it loads', () => {
    expect(config.rule_files).toEqual(['alerts.yml']);
    const r = promtool('check', 'config', 'prometheus.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes the rules' unit tests", () => {
    const r = promtool('test', 'rules', 'alerts.test.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('SUCCESS');
  });
});

describe('scrape jobs', () => {
  it('are the jobs the rules select, aimed at the compose API and workers', () => {
    const jobs = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]));
    const selected = [...new Set([...rulesText.matchAll(/job="([^"]+)"/g)].map((m) => m[1]!))].sort();
    expect(Object.keys(jobs).sort()).toEqual(selected);
    expect(jobs['snapfleet-api']).toEqual([`api:${serviceEnv(services.api!).SNAPFLEET_PORT}`]);
    const workers = Object.keys(services).filter((n) => n.startsWith('worker-'));
    expect(jobs['snapfleet-worker']).toEqual(workers.map((n) => `${n}:${serviceEnv(services[n]!).SNAPFLEET_WORKER_HTTP_PORT}`));
  });

  it('the compose prometheus service (profile monitoring) mounts this directory', () => {
    const p = services.prometheus!;
    expect(p.profiles).toEqual(['monitoring']);
    expect(p.image).toMatch(/^prom\/prometheus:v2\./);
    expect(p.volumes).toEqual([{ type: 'bind', source: './prometheus', target: '/etc/prometheus', read_only: true }]);
    expect(p.command).toEqual(['--config.file=/etc/prometheus/prometheus.yml']);
  });
});

describe('metrics the rules read', () => {
  let fleet: Fleet;
  let exported: Map<string, string>;

  beforeAll(async () => {
    fleet = await startFleet({ label: 'promrules', hosts: 1, apis: 1, workersPerHost: 0 });
    const host = fleet.hosts[0]!.id;
    const api = fleet.apis[0]!.url;
    const port = await freePort();
    await fleet.startWorker(host, { SNAPFLEET_WORKER_HTTP_PORT: String(port) });
    // A few ops so labelled series have samples too.
    const snap = (method: string, path: string, body?: unknown) =>
      fetch(`${api}/v1/namespaces/prom/hosts/${host}/snapshots${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
    expect((await snap('POST', '', { key: 'a' })).status).toBe(201);
    expect((await snap('POST', '/a/commit', { name: 'l' })).status).toBe(201);
    expect((await snap('DELETE', '/missing')).status).toBe(404);
    exported = new Map();
    for (const url of [`${api}/metrics`, `http://127.0.0.1:${port}/metrics`]) {
      const text = await (await fetch(url)).text();
      for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) exported.set(m[1]!, m[2]!);
    }
  }, 120_000);
  afterAll(async () => fleet?.dispose());

  it('every snapfleet metric in a rule is exported, a histogram by its family name', () => {
    const referenced = [...new Set(rulesText.match(/\bsnapfleet_[a-z_]+/g) ?? [])];
    expect(referenced.length).toBeGreaterThanOrEqual(8);
    const missing = referenced.filter((name) => {
      if (exported.has(name)) return false;
      const family = name.replace(/_(bucket|sum|count)$/, '');
      return exported.get(family) !== 'histogram';
    });
    expect(missing).toEqual([]);
  });
});
