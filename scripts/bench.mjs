// `npm run bench`: sets the machine up like `npm test` does, compiles, and runs the
// benchmark suite, which writes docs/benchmarks.md.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildNativeAddon, buildTypeScript, ensureNodeModules, ensureServices, installMissing, REPO } from './lib/prereqs.mjs';

// wrk drives the read cases: a load generator that costs the shared CPUs little per request.
installMissing({ extra: [{ cmd: 'wrk', pkg: 'wrk' }] });
ensureNodeModules();
await ensureServices();
buildNativeAddon();
buildTypeScript();
// btrfs calls block a libuv thread each (transaction commits); the worker app sizes the
// pool the same way.
const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' };
execFileSync(process.execPath, [join(REPO, 'dist/bench/run.js'), ...process.argv.slice(2)], { cwd: REPO, stdio: 'inherit', env });
