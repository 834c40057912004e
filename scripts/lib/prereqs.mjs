// Machine set-up shared by `npm start`, `npm test` and .ci/run: installs what a fresh
// Debian/Ubuntu machine lacks (as root, with apt-get), starts MariaDB and Redis when they
// are not answering, and builds the native btrfs addon. Says exactly what to do where it
// cannot do it itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export function say(msg) {
  process.stderr.write(`[snapfleet] ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0 || existsSync(`/usr/sbin/${cmd}`);
}

/** Debian packages providing the commands snapfleet runs. */
const PACKAGES = [
  { cmd: 'mkfs.btrfs', pkg: 'btrfs-progs' },
  { cmd: 'mariadbd', alt: 'mysqld', pkg: 'mariadb-server', service: 'mysql' },
  { cmd: 'redis-server', pkg: 'redis-server', service: 'redis' },
];

/**
 * `extra`: `{ cmd, pkg, noRecommends? }` — the package is installed when `cmd` is missing;
 * `noRecommends` leaves out its recommended packages (for a tool taken from a package that
 * would otherwise bring services along, such as promtool from prometheus).
 */
export function installMissing({ need = ['btrfs-progs', 'mariadb-server', 'redis-server'], extra = [] } = {}) {
  const missing = PACKAGES.filter((p) => need.includes(p.pkg) && !has(p.cmd) && !(p.alt && has(p.alt))).map((p) => p.pkg);
  const extras = extra.filter((e) => !has(e.cmd));
  const pkgs = [...missing, ...extras.filter((e) => !e.noRecommends).map((e) => e.pkg)];
  const bare = extras.filter((e) => e.noRecommends).map((e) => e.pkg);
  if (pkgs.length === 0 && bare.length === 0) return;
  if (!isRoot() || !has('apt-get')) {
    const all = [...pkgs, ...bare];
    throw new Error(`missing packages: ${all.join(' ')} — install them (e.g. as root: apt-get install -y ${all.join(' ')})`);
  }
  say(`installing ${[...pkgs, ...bare].join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (pkgs.length > 0) execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env });
  if (bare.length > 0) execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...bare], { stdio: 'inherit', env });
}

function portOpen(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

async function waitPort(port, what, seconds = 60) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not start listening on 127.0.0.1:${port} within ${seconds}s`);
}

function isLocal(url, defaultPort) {
  try {
    const u = new URL(url);
    return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname) && Number(u.port || defaultPort) === defaultPort;
  } catch {
    return false;
  }
}

/** Starts local MariaDB/Redis when the configured URLs point at them and nothing answers. */
export async function ensureServices() {
  const mysqlUrl = process.env.SNAPFLEET_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/snapfleet';
  const redisUrl = process.env.SNAPFLEET_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (isLocal(mysqlUrl, 3306) && !(await portOpen(3306))) {
    const bin = existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : '/usr/sbin/mysqld';
    if (!existsSync(bin)) throw new Error('MariaDB is not installed: apt-get install -y mariadb-server');
    say(`starting ${bin}`);
    execFileSync('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', bin], { stdio: 'inherit' });
    await waitPort(3306, 'MariaDB');
  }
  if (isLocal(redisUrl, 6379) && !(await portOpen(6379))) {
    if (!has('redis-server')) throw new Error('Redis is not installed: apt-get install -y redis-server');
    say('starting redis-server');
    execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'], {
      stdio: 'inherit',
    });
    await waitPort(6379, 'Redis');
  }
}

export function ensureNodeModules() {
  if (existsSync(join(REPO, 'node_modules', '.package-lock.json'))) return;
  say('installing npm dependencies (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: REPO, stdio: 'inherit' });
}

const ADDON = join(REPO, 'libs/btrfs/native/build/Release/snapfleet_btrfs.node');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'build') continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the native btrfs addon when it is missing or older than its sources. */
export function buildNativeAddon() {
  const src = join(REPO, 'libs/btrfs/native');
  if (existsSync(ADDON) && statSync(ADDON).mtimeMs >= newestMtime(src)) return;
  say('building the native btrfs addon (node-gyp)');
  execFileSync('npm', ['run', '--silent', 'build:native'], { cwd: REPO, stdio: 'inherit' });
}

export function buildTypeScript() {
  say('compiling TypeScript');
  execFileSync('npm', ['run', '--silent', 'build:ts'], { cwd: REPO, stdio: 'inherit' });
}
