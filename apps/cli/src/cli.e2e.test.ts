// snapctl end to end: the compiled CLI run as a real process against a real fleet (API and
// worker processes, a loop-mounted btrfs pool, MariaDB, Redis). Checks outputs, --json
// against the API's own answers, and exit statuses for every command.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, routePath, type SnapshotInfo } from '@snapfleet/contracts';
import { distEntry } from '../../../test/support/dist';
import { freePort, obliterateQueues, startFleet, type Fleet } from '../../../test/support/fleet';

const run = promisify(execFile);

let fleet: Fleet;
let api: string;
let host: string;
let entry: string;
// A host id no worker serves: jobs queued for it with --queue-always stay waiting.
let deadHost: string;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/apps/cli/src/main.js ARGS` with only the environment given here. */
async function snapctl(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNAPFLEET_')));
  try {
    const r = await run(process.execPath, [entry, ...args], {
      env: { ...base, SNAPFLEET_API_URL: api, SNAPFLEET_HOST_ID: host, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The API's own answer to a GET, for comparing with --json output. */
async function apiGet(route: keyof typeof ROUTES, params: Record<string, string>, query = ''): Promise<unknown> {
  const res = await fetch(`${api}${routePath(ROUTES[route].path, params)}${query}`);
  expect(res.ok).toBe(true);
  return res.json();
}

const ok = (r: Result) => {
  if (r.code !== 0) throw new Error(`snapctl exited ${r.code}: ${r.stderr}`);
  return r;
};
const json = <T = unknown>(r: Result): T => JSON.parse(ok(r).stdout) as T;

beforeAll(async () => {
  entry = distEntry('apps/cli/src/main.js');
  fleet = await startFleet({ label: 'cli', hosts: 1, apis: 1 });
  api = fleet.apis[0]!.url;
  host = fleet.hosts[0]!.id;
  deadHost = `${host}-gone`;
}, 120_000);

afterAll(async () => {
  await obliterateQueues([deadHost]).catch(() => undefined);
  await fleet?.dispose();
});

describe('help', () => {
  it('--help lists every route summary of the contracts and the exit statuses', async () => {
    const r = ok(await snapctl(['--help']));
    for (const route of Object.values(ROUTES)) expect(r.stdout).toContain(route.summary);
    expect(r.stdout).toMatch(/^\s+2\s+not_found$/m);
    expect(r.stdout).toMatch(/^\s+8\s+unauthenticated, permission_denied$/m);
    expect(r.stdout).toMatch(/^\s+1\s+usage error/m);
  });

  it('`help CMD` and `CMD --help` print the command help, with schema descriptions', async () => {
    const a = ok(await snapctl(['help', 'prepare']));
    const b = ok(await snapctl(['prepare', '--help']));
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('Usage: snapctl prepare KEY [PARENT]');
    expect(a.stdout).toContain(ROUTES.createSnapshot.path);
    expect(a.stdout).toContain('UTF-8, 1..4096 bytes, no NUL'); // KeySchema.describe()
    expect(ok(await snapctl(['help', 'jobs', 'wait'])).stdout).toContain('Usage: snapctl jobs wait JOB');
  });

  it('bad usage exits 1 with the relevant help on stderr', async () => {
    const none = await snapctl([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('snapctl: usage: no command given');
    expect(none.stderr).toContain('Commands:');

    const unknown = await snapctl(['frobnicate']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');

    const missing = await snapctl(['commit', 'only-name']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing KEY');
    expect(missing.stderr).toContain('Usage: snapctl commit NAME KEY');

    const wrongOption = await snapctl(['ls', '--path']);
    expect(wrongOption.code).toBe(1);
    expect(wrongOption.stderr).toContain('--path does not apply to ls');

    const badWait = await snapctl(['prepare', 'k', '--wait', 'soon']);
    expect(badWait.code).toBe(1);
    expect(badWait.stderr).toContain('--wait "soon"');

    const badLabel = await snapctl(['label', 'k', 'novalue']);
    expect(badLabel.code).toBe(1);
    expect(badLabel.stderr).toContain('is not k=v');

    const noHost = await snapctl(['ls'], { SNAPFLEET_HOST_ID: '' });
    expect(noHost.code).toBe(1);
    expect(noHost.stderr).toContain('no host');

    const jobsAlone = await snapctl(['jobs']);
    expect(jobsAlone.code).toBe(1);
    expect(jobsAlone.stderr).toContain('jobs needs one of: get, wait');
    expect(noHost.stdout).toBe('');
  });
});

describe('snapshots', () => {
  const ns = 'clitree';

  it('prepare, commit and view build a chain with branches; tree draws it', async () => {
    const n = ['-n', ns];
    const prepared = ok(await snapctl([...n, 'prepare', 'base-a', '--label', 'team=build']));
    expect(prepared.stdout).toMatch(/^name\s+base-a$/m);
    expect(prepared.stdout).toMatch(/^kind\s+active$/m);
    expect(prepared.stdout).toMatch(/^label\s+team=build$/m);
    expect(prepared.stdout).toMatch(/^mount\s+btrfs \S+ subvolid=\d+$/m);
    ok(await snapctl([...n, 'commit', 'base', 'base-a', '--label', 'tier=base']));
    ok(await snapctl([...n, 'prepare', 'l1-a', 'base']));
    ok(await snapctl([...n, 'commit', 'l1', 'l1-a']));
    ok(await snapctl([...n, 'prepare', 'work', 'l1']));
    ok(await snapctl([...n, 'prepare', 'extract-2 sha256:ab', 'base'])); // containerd-style key with a space
    const view = ok(await snapctl([...n, 'view', 'ro', 'l1']));
    expect(view.stdout).toMatch(/^mount\s+btrfs \S+ subvolid=\d+,ro$/m);
    ok(await snapctl([...n, 'prepare', 'lonely']));

    const tree = ok(await snapctl([...n, 'tree']));
    expect(tree.stdout).toBe(
      [
        'base (committed)',
        '|-- extract-2 sha256:ab (active)',
        '`-- l1 (committed)',
        '    |-- ro (view)',
        '    `-- work (active)',
        'lonely (active)',
        '',
      ].join('\n'),
    );
    const forest = json<(SnapshotInfo & { children: { name: string }[] })[]>(await snapctl([...n, 'tree', '--json']));
    expect(forest.map((r) => r.name)).toEqual(['base', 'lonely']);
    expect(forest[0]!.children.map((c) => c.name)).toEqual(['extract-2 sha256:ab', 'l1']);
  });

  it('info prints the Info; --json is the API answer', async () => {
    const human = ok(await snapctl(['-n', ns, 'info', 'l1']));
    expect(human.stdout).toMatch(/^name\s+l1$/m);
    expect(human.stdout).toMatch(/^parent\s+base$/m);
    expect(human.stdout).toMatch(/^kind\s+committed$/m);
    expect(json(await snapctl(['-n', ns, 'info', 'l1', '--json']))).toEqual(await apiGet('statSnapshot', { ns, host, key: 'l1' }));
    // containerd's commit takes the labels given to it, not the active snapshot's.
    const labelled = json<SnapshotInfo>(await snapctl(['-n', ns, 'info', 'base', '--json']));
    expect(labelled.labels).toEqual({ tier: 'base' });
  });

  it('label sets and removes labels by field path, leaving others', async () => {
    expect(ok(await snapctl(['-n', ns, 'label', 'work', 'a=1', 'b=x=y'])).stdout).toBe('a=1\nb=x=y\n');
    expect(ok(await snapctl(['-n', ns, 'label', 'work', 'a=', 'c=3'])).stdout).toBe('b=x=y\nc=3\n');
    const info = json<SnapshotInfo>(await snapctl(['-n', ns, 'label', 'work', 'c=4', '--json']));
    expect(info.labels).toEqual({ b: 'x=y', c: '4' });
    expect(info).toEqual(await apiGet('statSnapshot', { ns, host, key: 'work' }));
  });

  it('mounts prints a table, --path the subvolume path, --json the API answer', async () => {
    const table = ok(await snapctl(['-n', ns, 'mounts', 'work']));
    expect(table.stdout).toMatch(/^TYPE\s+SOURCE\s+OPTIONS\nbtrfs\s+\/dev\/\S+\s+subvolid=\d+\n$/);
    const path = ok(await snapctl(['-n', ns, 'mounts', 'work', '--path'])).stdout.trim();
    expect(path.startsWith(fleet.hosts[0]!.root)).toBe(true);
    expect(statSync(path).isDirectory()).toBe(true);
    expect(json(await snapctl(['-n', ns, 'mounts', 'work', '--json']))).toEqual(await apiGet('snapshotMounts', { ns, host, key: 'work' }));
  });

  it('usage of an active (measured on the host) and a committed snapshot', async () => {
    const active = json<{ size: number; inodes: number }>(await snapctl(['-n', ns, 'usage', 'work', '--json']));
    expect(active.inodes).toBeGreaterThanOrEqual(0);
    const committed = ok(await snapctl(['-n', ns, 'usage', 'base']));
    expect(committed.stdout).toMatch(/^KEY\s+SIZE\s+INODES\nbase\s+.+ \(\d+ bytes\)\s+\d+\n$/);
    expect(json(await snapctl(['-n', ns, 'usage', 'base', '--json']))).toEqual(await apiGet('snapshotUsage', { ns, host, key: 'base' }));
  });

  it('ls lists, filters and pages; --json is the API page', async () => {
    const all = ok(await snapctl(['-n', ns, 'ls']));
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^KEY\s+PARENT\s+KIND$/);
    expect(lines).toHaveLength(1 + 6);
    expect(all.stdout).toMatch(/^extract-2 sha256:ab\s+base\s+active$/m);

    const committed = json<{ snapshots: SnapshotInfo[] }>(await snapctl(['-n', ns, 'ls', '--filter', 'kind==committed', '--json']));
    expect(committed.snapshots.map((s) => s.name).sort()).toEqual(['base', 'l1']);
    const either = json<{ snapshots: SnapshotInfo[] }>(await snapctl(['-n', ns, 'ls', '--filter', 'name==ro', '--filter', 'name==lonely', '--json']));
    expect(either.snapshots.map((s) => s.name).sort()).toEqual(['lonely', 'ro']);

    const page = json<{ snapshots: SnapshotInfo[]; next?: string }>(await snapctl(['-n', ns, 'ls', '--limit', '3', '--json']));
    expect(page).toEqual(await apiGet('walkSnapshots', { ns, host }, '?limit=3'));
    expect(page.snapshots).toHaveLength(3);
    expect(page.next).toBeDefined();
    const human = ok(await snapctl(['-n', ns, 'ls', '--limit', '3']));
    expect(human.stderr).toContain(`--after ${page.next}`);
    const rest = json<{ snapshots: SnapshotInfo[]; next?: string }>(await snapctl(['-n', ns, 'ls', '--limit', '1000', '--after', page.next!, '--json']));
    expect(rest.snapshots).toHaveLength(3);
    expect(rest.next).toBeUndefined();
  });

  it('typed errors exit with their status and say so on stderr', async () => {
    const missing = await snapctl(['-n', ns, 'info', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^snapctl: not_found: /);
    expect(missing.stdout).toBe('');

    const asJson = await snapctl(['-n', ns, 'info', 'nope', '--json']);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stderr)).toMatchObject({ error: { code: 'not_found' } });

    const exists = await snapctl(['-n', ns, 'prepare', 'work']);
    expect(exists.code).toBe(3);
    expect(exists.stderr).toMatch(/^snapctl: already_exists: /);

    const hasChildren = await snapctl(['-n', ns, 'rm', 'l1']);
    expect(hasChildren.code).toBe(4);
    expect(hasChildren.stderr).toMatch(/^snapctl: failed_precondition: /);

    const badNamespace = await snapctl(['-n', 'not a namespace', 'info', 'x']);
    expect(badNamespace.code).toBe(5);
    expect(badNamespace.stderr).toMatch(/^snapctl: invalid_argument: /);

    const unreachable = await snapctl(['hosts', '--api-url', `http://127.0.0.1:${await freePort()}`]);
    expect(unreachable.code).toBe(6);
    expect(unreachable.stderr).toMatch(/^snapctl: unavailable: cannot reach the snapfleet API/);
  });

  it('rm removes every key it can and exits with the first failure', async () => {
    const r = await snapctl(['-n', ns, 'rm', 'ro', 'nope', 'lonely']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^snapctl: not_found: /);
    expect((await snapctl(['-n', ns, 'info', 'ro'])).code).toBe(2);
    expect((await snapctl(['-n', ns, 'info', 'lonely'])).code).toBe(2);
    expect(json(await snapctl(['-n', ns, 'rm', 'work', '--json']))).toEqual([{ key: 'work', removed: true }]);
    expect(ok(await snapctl(['-n', ns, 'rm', 'extract-2 sha256:ab'])).stdout).toBe('');
    expect(ok(await snapctl(['-n', ns, 'tree'])).stdout).toBe('base (committed)\n`-- l1 (committed)\n');
  });
});

describe('batch', () => {
  const ns = 'clibatch';

  it('runs the steps of a file (or stdin) in order and prints one line per step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'snapctl-batch-'));
    try {
      const file = join(dir, 'steps.json');
      await writeFile(file, JSON.stringify({ steps: [{ op: 'prepare', key: 'b-a' }, { op: 'commit', key: 'b-a', name: 'b' }, { op: 'view', key: 'b-v', parent: 'b' }] }));
      const r = ok(await snapctl(['-n', ns, 'batch', file]));
      expect(r.stdout).toMatch(/^0\s+prepare\s+b-a\s+active b-a$/m);
      expect(r.stdout).toMatch(/^1\s+commit\s+b-a\s+committed b$/m);
      expect(r.stdout).toMatch(/^2\s+view\s+b-v\s+view b-v$/m);

      // The bare array works too; --json is the API's answer. A failing step: its error on
      // stderr, its exit status, and the steps after it reported as not run.
      await writeFile(file, JSON.stringify([{ op: 'prepare', key: 'b-w', parent: 'b' }, { op: 'remove', key: 'b' }, { op: 'remove', key: 'b-w' }]));
      const failed = await snapctl(['-n', ns, 'batch', file]);
      expect(failed.code).toBe(4);
      expect(failed.stdout).toMatch(/^0\s+prepare\s+b-w\s+active b-w$/m);
      expect(failed.stdout).toMatch(/^1\s+remove\s+b\s+failed: failed_precondition$/m);
      expect(failed.stdout).toMatch(/^1 step not run$/m);
      expect(failed.stderr).toMatch(/^snapctl: failed_precondition: step 1: /m);

      await writeFile(file, JSON.stringify([{ op: 'remove', key: 'nope' }]));
      const asJson = await snapctl(['-n', ns, 'batch', file, '--json']);
      expect(asJson.code).toBe(2);
      expect(JSON.parse(asJson.stdout)).toMatchObject({ results: [], failed: { step: 0, error: { code: 'not_found' } } });

      // A malformed file is a usage error before any request.
      await writeFile(file, JSON.stringify([{ op: 'prepare' }]));
      const bad = await snapctl(['-n', ns, 'batch', file]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/steps\.0\.key/);
      expect((await snapctl(['-n', ns, 'batch', join(dir, 'absent.json')])).code).toBe(1);

      const fromStdin = await new Promise<Result>((resolve, reject) => {
        const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SNAPFLEET_')));
        const child = spawn(process.execPath, [entry, '-n', ns, 'batch', '-'], { env: { ...base, SNAPFLEET_API_URL: api, SNAPFLEET_HOST_ID: host } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(JSON.stringify([{ op: 'remove', key: 'b-w' }]));
      });
      expect(fromStdin.stderr).toBe('');
      expect(fromStdin.code).toBe(0);
      expect(fromStdin.stdout).toMatch(/^0\s+remove\s+b-w\s+removed$/m);
      expect(ok(await snapctl(['-n', ns, 'tree'])).stdout).toBe('b (committed)\n`-- b-v (view)\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('jobs', () => {
  const ns = 'clijobs';

  it('--async prints the job and its Location; jobs wait follows it to the result', async () => {
    const accepted = json<{ job: { id: string; host: string; op: string }; location: string }>(
      await snapctl(['-n', ns, 'prepare', 'async-1', '--async', '--json']),
    );
    expect(accepted.job.op).toBe('prepare');
    expect(accepted.location).toBe(`/v1/jobs/${host}/${accepted.job.id}`);
    const done = json<{ state: string; result: { info: SnapshotInfo } }>(await snapctl(['jobs', 'wait', accepted.location, '--json']));
    expect(done.state).toBe('completed');
    expect(done.result.info.name).toBe('async-1');
    const got = json(await snapctl(['jobs', 'get', accepted.job.id, '--json']));
    expect(got).toEqual(await apiGet('getJob', { host, jobId: accepted.job.id }));

    const human = ok(await snapctl(['-n', ns, 'commit', 'async-c', 'async-1', '--async']));
    expect(human.stdout).toMatch(/^job\s+op-\S+$/m);
    expect(human.stdout).toMatch(new RegExp(`^location\\s+/v1/jobs/${host}/op-\\S+$`, 'm'));
    expect(human.stderr).toContain('snapctl jobs wait --host');
    const id = /^job\s+(\S+)$/m.exec(human.stdout)![1]!;
    const waited = ok(await snapctl(['jobs', 'wait', id]));
    expect(waited.stdout).toMatch(/^state\s+completed$/m);
    const shown = ok(await snapctl(['jobs', 'get', id])).stdout;
    expect(shown).toMatch(/^op\s+commit$/m);
    // Its times, created → started → finished.
    expect(shown).toMatch(/^created\s+\S+\nstarted\s+\S+\nfinished\s+\S+$/m);
  });

  it('a job that fails makes jobs wait exit with its error', async () => {
    const accepted = json<{ job: { id: string } }>(await snapctl(['-n', ns, 'commit', 'x', 'no-such-active', '--async', '--json']));
    const r = await snapctl(['jobs', 'wait', accepted.job.id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/snapctl: not_found: /);
    expect((await snapctl(['jobs', 'get', 'no-such-job'])).code).toBe(2);
  });

  it('waiting shows progress lines on a non-terminal stderr; -q silences them', async () => {
    // --wait 0: the API answers 202 at once and snapctl polls the job.
    const r = ok(await snapctl(['-n', ns, 'prepare', 'polled', '--wait', '0']));
    expect(r.stdout).toMatch(/^name\s+polled$/m);
    expect(r.stderr).toMatch(/^prepare job op-\S+: (waiting|active|completed)/m);
    const quiet = ok(await snapctl(['-n', ns, 'prepare', 'polled-q', '--wait', '0', '-q']));
    expect(quiet.stderr).toBe('');
  });

  it('--idempotency-key runs the operation once', async () => {
    const first = json(await snapctl(['-n', ns, 'prepare', 'idem-k', '--idempotency-key', 'cli-idem-1', '--json']));
    const again = json(await snapctl(['-n', ns, 'prepare', 'idem-k', '--idempotency-key', 'cli-idem-1', '--json']));
    expect(again).toEqual(first);
  });

  it('a host that is down: unavailable, unless --queue-always', async () => {
    const down = await snapctl(['-H', deadHost, 'prepare', 'k']);
    expect(down.code).toBe(6);
    expect(down.stderr).toMatch(/^snapctl: unavailable: /);
    const queued = json<{ job: { state: string; host: string } }>(await snapctl(['-H', deadHost, 'prepare', 'k', '--queue-always', '--async', '--json']));
    expect(queued.job.host).toBe(deadHost);
    expect(queued.job.state).toMatch(/^(waiting|prioritized|delayed)$/);
    const timedOut = await snapctl(['-H', deadHost, 'jobs', 'wait', (queued.job as unknown as { id: string }).id, '--timeout', '1']);
    expect(timedOut.code).toBe(6);
    expect(timedOut.stderr).toContain('did not finish within');

    // Ctrl-C stops the waiting, not the job, and says how to resume.
    const id = (queued.job as unknown as { id: string }).id;
    const child = spawn(process.execPath, [entry, '-H', deadHost, 'jobs', 'wait', id], { env: { ...process.env, SNAPFLEET_API_URL: api } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve())); // the first progress line: it is waiting
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(130);
    expect(stderr).toContain(`stopped waiting; the job keeps running on host ${deadHost}`);
    expect(json<{ state: string }>(await snapctl(['-H', deadHost, 'jobs', 'get', id, '--json'])).state).toBe('waiting');
  });
});

describe('hosts and cleanup', () => {
  it('hosts: a table with status, free space, workers and heartbeat age; --json is the API answer', async () => {
    const table = ok(await snapctl(['hosts']));
    expect(table.stdout).toMatch(/^HOST\s+STATUS\s+FREE\s+SIZE\s+USED\s+WORKERS\s+HEARTBEAT\s+VERSION$/m);
    expect(table.stdout).toMatch(new RegExp(`^${host}\\s+up\\s+\\S+ \\S+\\s+\\S+ \\S+\\s+\\d+%\\s+1\\s+[\\d.]+s ago\\s+\\S+$`, 'm'));
    const mine = json<{ hosts: { id: string; status: string; workers: number }[] }>(await snapctl(['hosts', '--json'])).hosts.find((h) => h.id === host);
    expect(mine).toMatchObject({ id: host, status: 'up', workers: 1 });

    const one = ok(await snapctl(['host', host]));
    expect(one.stdout).toMatch(new RegExp(`^host\\s+${host}$`, 'm'));
    expect(one.stdout).toMatch(/^status\s+up$/m);
    const asJson = json<Record<string, unknown>>(await snapctl(['host', host, '--json']));
    const fromApi = (await apiGet('getHost', { host })) as Record<string, unknown>;
    const stable = ({ heartbeatAt: _h, freeBytes: _f, ...rest }: Record<string, unknown>) => rest;
    expect(stable(asJson)).toEqual(stable(fromApi));
    expect((await snapctl(['host', 'no-such-host'])).code).toBe(2);
  });

  it('cleanup removes an orphan subvolume and says how many', async () => {
    // An orphan as a crash would leave it: a subvolume under the host root that no row names.
    const orphan = join(fleet.hosts[0]!.root, 'active', '999999');
    await run('btrfs', ['subvolume', 'create', orphan]);
    expect(ok(await snapctl(['cleanup'])).stdout).toBe(`removed 1 unreferenced subvolume on host ${host}\n`);
    expect(existsSync(orphan)).toBe(false);
    expect(json(await snapctl(['cleanup', '--json']))).toEqual({ removed: 0 });
  });
});
