// 10,000 generated bad requests to the containerd proxy over gRPC: bad keys (empty, NUL, 5,000
// bytes, bad UTF-8 as raw protobuf), label bombs, parents that are not committed, commits of
// views, invalid filters, unknown update fields, bad namespaces, and raw bytes that are not a
// protobuf message at all. Every answer is an error with a code containerd understands as a
// client's mistake (never INTERNAL/UNKNOWN/UNAVAILABLE), and nothing changes on the host.
import { isDeepStrictEqual } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { diffHost } from '../support/consistency';
import { rng } from '../support/op-stream';
import { clearReliability, compareRows, recordReliability } from '../support/reliability';
import { dialSnapshots, listAll, unary, type RawSnapshotsClient } from '../containerd/grpc-client';
import { startStack, PROXY_PLUGIN, type Stack } from '../containerd/stack';

const TOTAL = 10_000;
const GARBAGE = 'raw bytes, not a protobuf request';
const CLIENT_MISTAKES = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.ALREADY_EXISTS, grpc.status.FAILED_PRECONDITION]);

let stack: Stack;
let client: RawSnapshotsClient;
const snapshotter = PROXY_PLUGIN;
const ns = 'fuzz';

beforeAll(async () => {
  clearReliability('fuzz-grpc');
  stack = await startStack({ label: 'fuzzg', containerd: false });
  client = dialSnapshots(stack.proxy.socket);
  await unary(client, 'Prepare', { snapshotter, key: 'a', parent: '', labels: {} }, ns);
  await unary(client, 'Commit', { snapshotter, name: 'base', key: 'a', labels: {} }, ns);
  await unary(client, 'Prepare', { snapshotter, key: 'child', parent: 'base', labels: {} }, ns);
  await unary(client, 'View', { snapshotter, key: 'look', parent: 'base', labels: {} }, ns);
}, 180_000);
afterAll(async () => {
  client?.close();
  await stack?.dispose();
});

type Call = { method: string; req: object; namespace?: string };

function generators(): Array<[string, (r: () => number) => Call]> {
  const pick = <T,>(r: () => number, xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const badKey = (r: () => number) => pick(r, ['', 'a\u0000b', 'k'.repeat(5000), '.', '..']);
  return [
    ['bad keys', (r) => ({ method: pick(r, ['Prepare', 'View']), req: { snapshotter, key: badKey(r), parent: '', labels: {} } })],
    ['bad keys on reads', (r) => ({ method: pick(r, ['Stat', 'Mounts', 'Usage', 'Remove']), req: { snapshotter, key: badKey(r) } })],
    ['label bombs', (r) => ({ method: 'Prepare', req: { snapshotter, key: `lb-${Math.floor(r() * 1e9)}`, parent: '', labels: Object.fromEntries(Array.from({ length: 300 + Math.floor(r() * 500) }, (_, i) => [`k${i}`, 'v'])) } })],
    ['label over size', (r) => ({ method: 'Prepare', req: { snapshotter, key: `ls-${Math.floor(r() * 1e9)}`, parent: '', labels: { k: 'v'.repeat(5000) } } })],
    ['parent not committed', (r) => ({ method: pick(r, ['Prepare', 'View']), req: { snapshotter, key: `pn-${Math.floor(r() * 1e9)}`, parent: pick(r, ['child', 'look']), labels: {} } })],
    ['missing parent', (r) => ({ method: 'Prepare', req: { snapshotter, key: `mp-${Math.floor(r() * 1e9)}`, parent: 'no-such-parent', labels: {} } })],
    ['existing keys', (r) => ({ method: pick(r, ['Prepare', 'View']), req: { snapshotter, key: pick(r, ['base', 'child', 'look']), parent: '', labels: {} } })],
    ['commit a view or committed', (r) => ({ method: 'Commit', req: { snapshotter, name: `cv-${Math.floor(r() * 1e9)}`, key: pick(r, ['look', 'base']), labels: {} } })],
    ['commit to an existing name', () => ({ method: 'Commit', req: { snapshotter, name: 'base', key: 'child', labels: {} } })],
    ['remove with children', () => ({ method: 'Remove', req: { snapshotter, key: 'base' } })],
    ['mounts of committed', () => ({ method: 'Mounts', req: { snapshotter, key: 'base' } })],
    ['missing keys', (r) => ({ method: pick(r, ['Stat', 'Mounts', 'Usage', 'Remove']), req: { snapshotter, key: `missing-${Math.floor(r() * 1e9)}` } })],
    ['unknown update fields', (r) => ({ method: 'Update', req: { snapshotter, info: { name: 'base', labels: {} }, update_mask: { paths: [pick(r, ['parent', 'kind', 'name', 'created'])] } } })],
    ['update of a missing snapshot', () => ({ method: 'Update', req: { snapshotter, info: { name: 'missing', labels: { a: 'b' } }, update_mask: { paths: ['labels.a'] } } })],
    ['update without info', () => ({ method: 'Update', req: { snapshotter } })],
    ['bad namespaces', (r) => ({ method: 'Stat', req: { snapshotter, key: 'base' }, namespace: pick(r, ['bad ns', '-x', 'x'.repeat(80), 'a..b']) })],
  ];
}

function outcome(call: Call): Promise<number> {
  return unary(client, call.method, call.req, call.namespace ?? ns).then(
    () => grpc.status.OK,
    (err: { details?: { grpcCode?: number } }) => err.details?.grpcCode ?? -1,
  );
}

/** Raw bytes that do not decode as the request message: the server must refuse them cleanly. */
function rawGarbage(r: () => number): Promise<number> {
  const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/containerd.services.snapshots.v1.Snapshots/Prepare',
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      (err) => resolve(err ? err.code : grpc.status.OK),
    );
  });
}

async function state() {
  const rows = await stack.fleet.store.query<unknown[]>('SELECT id, kind, HEX(skey) k, labels, updated_at FROM snapshots ORDER BY id', [], 'fuzz');
  return { rows, diff: await diffHost(stack.fleet.store, stack.host), list: (await listAll(client, { snapshotter, namespace: ns }, [])).infos.length };
}

it(`${TOTAL.toLocaleString('en')} bad gRPC requests: client-mistake codes only, no state change`, async () => {
  const before = await state();
  const gens = generators();
  const random = rng(1312);
  const bad: string[] = [];
  const byClass = new Map<string, number>();
  /** Every answer outside the client-mistake codes (`bad` keeps only the first 20). */
  let badAnswers = 0;
  let garbageAccepted = 0;
  let next = 0;
  const tally = (name: string) => byClass.set(name, (byClass.get(name) ?? 0) + 1);
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= TOTAL) return;
      if (i % (gens.length + 1) === gens.length) {
        // A random byte string may happen to be a valid (if odd) request; what matters is
        // that the server answers with a code, never INTERNAL or a hang.
        const code = await rawGarbage(random);
        tally(GARBAGE);
        if (code === grpc.status.OK) garbageAccepted++;
        else if (!CLIENT_MISTAKES.has(code)) {
          badAnswers++;
          if (bad.length < 20) bad.push(`raw garbage → ${grpc.status[code]}`);
        }
        continue;
      }
      const [name, gen] = gens[i % (gens.length + 1)]!;
      const call = gen(random);
      const code = await outcome(call);
      tally(name);
      if (!CLIENT_MISTAKES.has(code)) {
        badAnswers++;
        if (bad.length < 20) bad.push(`${name}: ${call.method} → ${grpc.status[code] ?? code}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const after = await state();
  const rows = compareRows(before.rows as { id: number }[], after.rows as { id: number }[]);
  recordReliability({
    id: 'fuzz-grpc',
    fault: `Bad gRPC requests to the containerd proxy (${byClass.size} classes)`,
    injected: [...byClass.values()].reduce((a, b) => a + b, 0),
    unit: 'requests',
    acknowledged: garbageAccepted,
    // A random byte string that decodes as a valid Prepare may make one snapshot: that is an
    // acknowledged op, not a duplicate; fewer new rows than such answers is a loss.
    lost: rows.goneOrChanged + Math.max(0, garbageAccepted - rows.added),
    duplicated: Math.max(0, rows.added - garbageAccepted),
    inconsistent:
      badAnswers +
      after.diff.orphansOnDisk.length +
      after.diff.missingOnDisk.length +
      Number(garbageAccepted === 0 && (after.list !== before.list || !isDeepStrictEqual(after.diff, before.diff))),
    command: 'npx vitest run test/faults/fuzz-grpc.test.ts',
    notes:
      'Each call must fail with a code containerd reads as the client\'s mistake (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION), never INTERNAL, UNKNOWN, UNAVAILABLE or a hang; ' +
      'rows, subvolumes and the listing must be unchanged, except for snapshots made by random bytes that happened to decode as a valid Prepare. ' +
      `Requests per class: ${[...gens.map(([k]) => k), GARBAGE].map((k) => `${k} ${byClass.get(k) ?? 0}`).join(', ')}. ` +
      'Acknowledged: random byte strings the proxy accepted as a valid request. Lost: snapshot rows gone or changed (or fewer new rows than accepted requests). ' +
      'Duplicated: new rows beyond the accepted requests. Inconsistent: answers with another code, plus rows and subvolumes that disagree.',
  });
  expect(bad).toEqual([]);
  // Garbage that decoded as a valid Prepare made a snapshot: account for it, nothing else.
  expect(after.diff.orphansOnDisk).toEqual([]);
  expect(after.diff.missingOnDisk).toEqual([]);
  expect(after.rows.length).toBe(before.rows.length + garbageAccepted);
  if (garbageAccepted === 0) expect(after).toEqual(before);
}, 600_000);
