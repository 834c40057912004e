// docker/ checked as far as a machine without a Docker engine allows: the compose file parses
// (and PyYAML agrees when it is installed), its services, healthchecks and dependencies hang
// together, every SNAPFLEET_* variable is one the app reads and passes the app's own config
// validation, each Dockerfile is well-formed and its ENTRYPOINT is a built app under dist/,
// and the build context filter keeps what the build needs and drops pools and node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ApiConfig, ApiEnvSchema } from '../../apps/api/src/config/api-config';
import { loadProxyConfig, ProxyEnvSchema } from '../../apps/containerd-proxy/src/config';
import { SNAPSHOTS_PROTO } from '../../apps/containerd-proxy/src/proto';
import { loadWorkerConfig, WorkerEnvSchema } from '../../apps/worker/src/config/worker-config';
import { ADDON_RELATIVE_PATH } from '../../libs/btrfs/src/addon';
import { parseMysqlUrl } from '@snapfleet/metastore';
import { REPO_ROOT } from '../support/dist';
import { loadCompose, serviceEnv, type ComposeService } from './compose-file';
import { copyOf, execForm, parseDockerfile, stagesOf, type Stage } from './dockerfile';
import { isIgnored, parseDockerignore } from './dockerignore';

const DOCKER = join(REPO_ROOT, 'docker');
const compose = loadCompose(join(DOCKER, 'compose.yaml'));
const services = compose.data.services;

/** Each image: its Dockerfile, the app it runs, and how that app reads its environment. */
const APPS = {
  'api.Dockerfile': { entry: 'dist/apps/api/src/main.js', schema: ApiEnvSchema, load: (env: NodeJS.ProcessEnv) => ApiConfig.fromEnv(env), nonRoot: true },
  'worker.Dockerfile': { entry: 'dist/apps/worker/src/main.js', schema: WorkerEnvSchema, load: loadWorkerConfig, nonRoot: false },
  'proxy.Dockerfile': { entry: 'dist/apps/containerd-proxy/src/main.js', schema: ProxyEnvSchema, load: loadProxyConfig, nonRoot: true },
} as const satisfies Record<string, { entry: string; schema: z.ZodObject; load: (env: NodeJS.ProcessEnv) => unknown; nonRoot: boolean }>;
type DockerfileName = keyof typeof APPS;
const DOCKERFILES = Object.keys(APPS) as DockerfileName[];

function appOf(service: ComposeService) {
  const name = service.build ? posix.basename(service.build.dockerfile) : undefined;
  return name !== undefined && name in APPS ? APPS[name as DockerfileName] : undefined;
}

const appServices = Object.entries(services).filter(([, s]) => appOf(s) !== undefined);

describe('compose.yaml', () => {
  it('is in the plain YAML subset, and PyYAML (when installed) reads the same data', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['mysql', 'redis', 'api', 'worker-host-a', 'worker-host-b', 'proxy-host-a']));
    const py = spawnSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: compose.text, encoding: 'utf8' });
    // Without python3 + PyYAML the subset parser's own (strict) reading stands alone.
    if (py.status === 0) expect(JSON.parse(py.stdout)).toEqual(compose.data);
  });

  it('runs MySQL 8 and Redis 7 with healthchecks', () => {
    expect(services.mysql?.image).toMatch(/^mysql:8(\.|$)/);
    expect(services.redis?.image).toMatch(/^redis:7(\.|$)/);
    for (const name of ['mysql', 'redis']) expect(services[name]?.healthcheck, name).toMatchObject({ test: expect.any(Array) });
    // BullMQ loses jobs under any eviction policy but noeviction.
    expect(services.redis?.command).toEqual(expect.arrayContaining(['--maxmemory-policy', 'noeviction']));
  });

  it('publishes the API on 8080 with a healthcheck on /readyz', () => {
    const api = services.api!;
    expect(api.ports).toEqual([expect.stringMatching(/:8080$/)]);
    expect(serviceEnv(api).SNAPFLEET_PORT).toBe('8080');
    // Public: with SNAPFLEET_ADMIN_TOKEN set, every /v1 route answers 401 without a token.
    expect(JSON.stringify(api.healthcheck)).toContain('http://127.0.0.1:8080/readyz');
  });

  it("checks each worker's /readyz on the port its listener is told to bind, on every interface", () => {
    for (const name of ['worker-host-a', 'worker-host-b']) {
      const w = services[name]!;
      const env = serviceEnv(w);
      expect(env.SNAPFLEET_WORKER_HTTP_PORT, name).toBe('9464');
      expect(env.SNAPFLEET_WORKER_HTTP_BIND, name).toBe('0.0.0.0');
      expect(JSON.stringify(w.healthcheck), name).toContain(`http://127.0.0.1:${env.SNAPFLEET_WORKER_HTTP_PORT}/readyz`);
    }
  });

  it('waits for dependencies to be healthy, and every dependency has a healthcheck', () => {
    for (const [name, s] of appServices) {
      const deps = s.depends_on as Record<string, { condition: string }> | undefined;
      expect(deps, name).toBeDefined();
      for (const [dep, how] of Object.entries(deps!)) {
        expect(how.condition, `${name} → ${dep}`).toBe('service_healthy');
        expect(services[dep]?.healthcheck, `${dep} has a healthcheck`).toBeDefined();
      }
    }
    expect(Object.keys(services['worker-host-a']!.depends_on as object).sort()).toEqual(['mysql', 'redis']);
    expect(Object.keys(services.api!.depends_on as object).sort()).toEqual(['mysql', 'redis']);
  });

  it('has a privileged worker per host on a bind-mounted pool at the same path as SNAPFLEET_ROOT', () => {
    for (const [service, hostId] of [['worker-host-a', 'host-a'], ['worker-host-b', 'host-b']] as const) {
      const w = services[service]!;
      const env = serviceEnv(w);
      expect(w.privileged, service).toBe(true);
      expect(env.SNAPFLEET_HOST_ID).toBe(hostId);
      const mounts = (w.volumes as { type: string; source: string; target: string }[]).map((v) => ({ ...v, source: serviceEnv({ environment: { v: v.source } }).v, target: serviceEnv({ environment: { v: v.target } }).v }));
      expect(mounts).toContainEqual({ type: 'bind', source: env.SNAPFLEET_ROOT, target: env.SNAPFLEET_ROOT });
    }
  });

  it('gives each app only SNAPFLEET_* variables it reads, and values its own config accepts', () => {
    for (const [name, s] of appServices) {
      const app = appOf(s)!;
      const env = serviceEnv(s);
      const shape: Record<string, z.ZodType> = app.schema.shape;
      const known = Object.keys(shape);
      const unknown = Object.keys(env).filter((k) => !known.includes(k) && k !== 'NODE_ENV');
      expect(unknown, `${name}: variables its app does not read`).toEqual([]);
      // Every variable the app requires (no default) is set.
      const required = known.filter((k) => !shape[k]!.safeParse(undefined).success);
      expect(required.filter((k) => env[k] === undefined), `${name}: required variables missing`).toEqual([]);
      expect(() => app.load(env), name).not.toThrow();
    }
  });

  it('points the apps at the compose services with the credentials MySQL is given', () => {
    const mysqlEnv = serviceEnv(services.mysql!);
    for (const [name, s] of appServices) {
      const env = serviceEnv(s);
      if (env.SNAPFLEET_MYSQL_URL !== undefined) {
        const t = parseMysqlUrl(env.SNAPFLEET_MYSQL_URL);
        expect({ host: t.host, user: t.user, password: t.password, database: t.database }, name).toEqual({
          host: 'mysql',
          user: mysqlEnv.MYSQL_USER,
          password: mysqlEnv.MYSQL_PASSWORD,
          database: mysqlEnv.MYSQL_DATABASE,
        });
      }
      if (env.SNAPFLEET_REDIS_URL !== undefined) expect(new URL(env.SNAPFLEET_REDIS_URL).hostname, name).toBe('redis');
      if (env.SNAPFLEET_API_URL !== undefined) expect(new URL(env.SNAPFLEET_API_URL).hostname, name).toBe('api');
    }
  });

  it('builds every app image from the repository root with its Dockerfile', () => {
    const built = new Set<string>();
    for (const [name, s] of appServices) {
      expect(join(DOCKER, s.build!.context), name).toBe(REPO_ROOT);
      expect(existsSync(join(REPO_ROOT, s.build!.dockerfile)), name).toBe(true);
      built.add(posix.basename(s.build!.dockerfile));
    }
    expect([...built].sort()).toEqual([...DOCKERFILES].sort());
  });
});

describe('Dockerfiles', () => {
  const read = (name: DockerfileName) => {
    const instructions = parseDockerfile(readFileSync(join(DOCKER, name), 'utf8'));
    return { instructions, stages: stagesOf(instructions) };
  };

  it.each(DOCKERFILES)('%s: FROM first, no ADD, node:20 build stage and bookworm-slim runtime', (name) => {
    const { instructions, stages } = read(name);
    const firstReal = instructions.find((i) => i.keyword !== 'ARG');
    expect(firstReal?.keyword).toBe('FROM');
    // ADD fetches URLs and unpacks archives implicitly; COPY says exactly what it does.
    expect(instructions.filter((i) => i.keyword === 'ADD')).toEqual([]);
    const [build, runtime] = [stages[0]!, stages.at(-1)!];
    expect(stages).toHaveLength(2);
    expect(build).toMatchObject({ image: 'node:20-bookworm', name: 'build' });
    expect(runtime.image).toBe('node:20-bookworm-slim');
    const runs = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.join('\n')).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(runs.join('\n')).toContain('npm ci');
    expect(runs.join('\n')).toContain('npm run build');
    // package.json's engines must allow the image's Node.
    const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines).toMatch(/^>=20(\.|$)/);
  });

  it.each(DOCKERFILES)('%s: ENTRYPOINT is the built app, present in dist/ and copied into the image', (name) => {
    const { stages } = read(name);
    const runtime = stages.at(-1)!;
    const entrypoints = runtime.instructions.filter((i) => i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD');
    expect(entrypoints).toHaveLength(1);
    const argv = execForm(entrypoints[0]!);
    expect(argv).toEqual(['node', APPS[name].entry]);
    expect(existsSync(join(REPO_ROOT, APPS[name].entry)), `${APPS[name].entry}: run \`npm run build:ts\``).toBe(true);
    expect(imageHas(runtime, APPS[name].entry), `${name} copies ${APPS[name].entry}`).toBe(true);
    expect(imageHas(runtime, 'dist/libs/contracts/src/index.js')).toBe(true);
    // When the build resolves @snapfleet/* through links under dist/node_modules, they must ship.
    if (existsSync(join(REPO_ROOT, 'dist/node_modules/@snapfleet'))) expect(imageHas(runtime, 'dist/node_modules/@snapfleet/contracts')).toBe(true);
    expect(imageHas(runtime, 'node_modules/zod/package.json')).toBe(true);
    expect(imageHas(runtime, 'package.json')).toBe(true);
  });

  it.each(DOCKERFILES)('%s: runs as the right user', (name) => {
    const users = read(name).stages.at(-1)!.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    if (APPS[name].nonRoot) expect(users.at(-1)).toMatch(/^(?!root$|0$)\S+$/);
    else expect(users.filter((u) => u !== 'root' && u !== '0')).toEqual([]); // privileged worker: root
  });

  it('the worker image has btrfs-progs, util-linux and the native addon where libs/btrfs finds it', () => {
    const runtime = read('worker.Dockerfile').stages.at(-1)!;
    expect(runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n')).toMatch(/install -y --no-install-recommends btrfs-progs util-linux/);
    expect(imageHas(runtime, ADDON_RELATIVE_PATH)).toBe(true);
  });

  it('the proxy image has the .proto files it loads at start', () => {
    expect(existsSync(join(REPO_ROOT, 'proto', SNAPSHOTS_PROTO))).toBe(true);
    expect(imageHas(read('proxy.Dockerfile').stages.at(-1)!, `proto/${SNAPSHOTS_PROTO}`)).toBe(true);
  });
});

describe('build context filter', () => {
  const files = DOCKERFILES.map((d) => readFileSync(join(DOCKER, `${d}.dockerignore`), 'utf8'));
  const rules = parseDockerignore(files[0]!);

  it('is the same for every Dockerfile', () => {
    for (const f of files) expect(f).toBe(files[0]);
  });

  it('drops repository history, installed and built trees, and pool images', () => {
    for (const p of ['.git/HEAD', 'node_modules/zod/package.json', 'libs/btrfs/native/node_modules/x', 'dist/apps/api/src/main.js', '.snapfleet/pool.img', 'x/y.img', 'libs/btrfs/native/build/Release/snapfleet_btrfs.node', 'test-results/logs/a']) {
      expect(isIgnored(rules, p), p).toBe(true);
    }
  });

  it('keeps every file the build reads', () => {
    const tsconfigBuild = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    // The compiled trees, by their include globs' first directory, plus what npm and node-gyp read.
    const roots = tsconfigBuild.include.map((g) => g.split('/**')[0]!);
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'libs/btrfs/native/binding.gyp', 'libs/btrfs/native/src/addon.cc', `proto/${SNAPSHOTS_PROTO}`, ...roots.map((r) => `${r}/x.ts`)];
    // …and the scripts `npm run build` runs, with the modules they import.
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['build', 'build:ts', 'build:native']) {
      for (const [, script] of (scripts[name] ?? '').matchAll(/node (scripts\/\S+\.m?js)/g)) {
        needed.push(script!);
        const text = readFileSync(join(REPO_ROOT, script!), 'utf8');
        for (const [, imp] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) needed.push(posix.join(posix.dirname(script!), imp!));
      }
    }
    for (const p of needed) expect(isIgnored(rules, p), p).toBe(false);
  });
});

/**
 * Whether the runtime stage's COPY instructions put repository path `rel` at WORKDIR/rel.
 * Sources are paths in the build stage's /src checkout; a directory source copies its
 * contents into the destination, a file into `dest/` or onto `dest` (Docker's rules).
 */
function imageHas(runtime: Stage, rel: string): boolean {
  const workdir = runtime.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
  const wanted = posix.join(workdir, rel);
  for (const ins of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
    const { from, sources, dest } = copyOf(ins);
    if (from !== 'build' || sources.length !== 1 || !sources[0]!.startsWith('/src/')) continue;
    const srcRel = sources[0]!.slice('/src/'.length).replace(/\/$/, '');
    if (rel !== srcRel && !rel.startsWith(`${srcRel}/`)) continue;
    const destAbs = posix.resolve(workdir, dest);
    const isDir = existsSync(join(REPO_ROOT, srcRel)) && statSync(join(REPO_ROOT, srcRel)).isDirectory();
    const target = isDir ? destAbs : dest.endsWith('/') || dest === '.' ? posix.join(destAbs, posix.basename(srcRel)) : destAbs;
    if (posix.join(target, rel.slice(srcRel.length)) === wanted) return true;
  }
  return false;
}
