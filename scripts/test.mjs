// `npm test`: sets the machine up (packages, services, native addon), runs the whole vitest
// suite, and ends with one plain line "N passed, M failed" read from vitest's JSON report.
// Skipped or todo tests count as failed: a test that did not run did not pass.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNativeAddon, buildTypeScript, ensureNodeModules, ensureServices, installMissing, REPO, say } from './lib/prereqs.mjs';

const TEST_TOOLS = [
  { cmd: 'containerd', pkg: 'containerd' },
  { cmd: 'runc', pkg: 'runc' },
  { cmd: 'busybox', pkg: 'busybox-static' },
  { cmd: 'chromium', pkg: 'chromium' },
  // promtool checks and unit-tests docker/prometheus (the server it comes with is not started).
  { cmd: 'promtool', pkg: 'prometheus', noRecommends: true },
];

async function main() {
  try {
    // What the containerd and browser tests drive, as .ci/run installs it.
    installMissing({ extra: TEST_TOOLS });
    ensureNodeModules();
    await ensureServices();
    buildNativeAddon();
    buildTypeScript();
  } catch (err) {
    say(`set-up failed: ${err instanceof Error ? err.message : String(err)}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }

  // Lint (typecheck + eslint) is part of the suite: a lint failure counts as one failed test.
  const lint = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: REPO, stdio: 'inherit' });
  const lintFailed = lint.status === 0 ? 0 : 1;
  if (lintFailed) say('lint failed (npm run lint)');

  const out = mkdtempSync(join(tmpdir(), 'snapfleet-vitest-'));
  const report = join(out, 'report.json');
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
  const run = spawnSync('npx', args, { cwd: REPO, stdio: 'inherit', env: { ...process.env, SNAPFLEET_BTRFS_BACKEND: process.env.SNAPFLEET_BTRFS_BACKEND ?? 'auto' } });

  let passed = 0;
  let failed = 1;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed = r.numPassedTests ?? 0;
    failed = (r.numFailedTests ?? 0) + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    // A file that fails to load has no tests in the counts; count it once.
    for (const file of r.testResults ?? []) if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
  }
  if (run.status !== 0 && failed === 0) failed = 1;
  passed += 1 - lintFailed;
  failed += lintFailed;
  rmSync(out, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main();
