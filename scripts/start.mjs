// `npm start`: brings a working single-host fleet up on this machine — installs what is
// missing, starts MariaDB/Redis if needed, builds, makes or reuses a loop-mounted btrfs pool
// (as root) unless SNAPFLEET_ROOT points at a btrfs directory, then runs the API and one
// worker (host `local`) in the foreground and prints the URLs. Ctrl-C stops both.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNativeAddon, buildTypeScript, ensureNodeModules, ensureServices, installMissing, REPO, say } from './lib/prereqs.mjs';

const env = { ...process.env };
const port = env.SNAPFLEET_PORT ?? '8080';
const hostId = env.SNAPFLEET_HOST_ID ?? 'local';

/**
 * The bootstrap admin token: SNAPFLEET_ADMIN_TOKEN, or one made once and kept (owner-only)
 * in .snapfleet/admin-token, so a local fleet has auth on from its first start.
 */
function adminToken() {
  if (env.SNAPFLEET_AUTH === 'off') return undefined;
  if (env.SNAPFLEET_ADMIN_TOKEN) return env.SNAPFLEET_ADMIN_TOKEN;
  const dir = join(REPO, '.snapfleet');
  const file = join(dir, 'admin-token');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function isMounted(dir) {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[1] === dir);
}

/** The host root: SNAPFLEET_ROOT, or a directory on .snapfleet/pool.img mounted as btrfs. */
function poolRoot() {
  if (env.SNAPFLEET_ROOT) return env.SNAPFLEET_ROOT;
  if (process.getuid?.() !== 0) {
    throw new Error('making a loop-mounted btrfs pool needs root; run as root or set SNAPFLEET_ROOT to a directory on btrfs');
  }
  const base = join(REPO, '.snapfleet');
  const image = join(base, 'pool.img');
  const mnt = join(base, 'mnt');
  mkdirSync(mnt, { recursive: true });
  if (!existsSync(image)) {
    const size = env.SNAPFLEET_POOL_SIZE ?? '8G';
    say(`creating a ${size} sparse btrfs pool at ${image}`);
    execFileSync('truncate', ['-s', size, image]);
    execFileSync('mkfs.btrfs', ['-q', image]);
  }
  if (!isMounted(mnt)) {
    say(`mounting ${image} at ${mnt}`);
    execFileSync('mount', ['-o', 'loop', image, mnt]);
  }
  const root = join(mnt, hostId);
  mkdirSync(root, { recursive: true });
  return root;
}

function run(name, entry, extra) {
  const child = spawn(process.execPath, [join(REPO, 'dist', entry)], { env: { ...env, ...extra }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    say(`${name} exited (${signal ?? code})`);
    if (!stopping) shutdown(1);
  });
  return child;
}

let stopping = false;
const children = [];
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill('SIGTERM');
  setTimeout(() => process.exit(code), 15_000).unref();
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
}

async function main() {
  installMissing();
  ensureNodeModules();
  await ensureServices();
  buildNativeAddon();
  buildTypeScript();
  const root = poolRoot();
  const token = adminToken();
  if (token) env.SNAPFLEET_ADMIN_TOKEN = token;
  // The API migrates the database on start (under a lock); the worker waits for the schema.
  children.push(run('api', 'apps/api/src/main.js', { SNAPFLEET_PORT: port }));
  children.push(run('worker', 'apps/worker/src/main.js', { SNAPFLEET_HOST_ID: hostId, SNAPFLEET_ROOT: root }));
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 150; i++) {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const ok = await fetch(`${url}/v1/hosts/${hostId}`, { headers }).then((r) => r.ok && r.json()).catch(() => false);
    if (ok && ok.status === 'up') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  say('snapfleet is up');
  say(`  API:        ${url}/v1/hosts`);
  say(`  API docs:   ${url}/docs`);
  say(`  dashboard:  ${url}/admin/queues`);
  say(`  host:       ${hostId} → ${root}`);
  if (token) {
    say(`  admin token: in .snapfleet/admin-token (or SNAPFLEET_ADMIN_TOKEN); use it as`);
    say(`               export SNAPFLEET_API_TOKEN=$(cat .snapfleet/admin-token)   # snapctl, curl -H "authorization: Bearer $SNAPFLEET_API_TOKEN"`);
    say(`               and paste it into the fleet page (${url}/ui) to open the page and the dashboard`);
  } else {
    say('  auth:       OFF (SNAPFLEET_AUTH=off)');
  }
}

main().catch((err) => {
  say(`start failed: ${err instanceof Error ? err.message : String(err)}`);
  shutdown(1);
  process.exitCode = 1;
});
