// `ctr snapshots …` against a private containerd: the same session through the snapfleet
// proxy plugin and through containerd's built-in btrfs snapshotter (same containerd, same
// machine) must print the same thing once devices, subvolume ids and times are normalized.
// Then containerd's garbage collector must find and remove the backend's snapshots through
// List + Remove (leaf first) + Cleanup.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { normalize, runSequence, usageTables, type Transcript } from './ctr-sequence';
import { PROXY_PLUGIN, startStack, type Stack } from './stack';

let stack: Stack;

/** `view view-1 base` succeeded and the very next command no longer found view-1. */
function lostViewToGc(t: Transcript): boolean {
  const i = t.steps.findIndex((s) => s.cmd === 'view view-1 base');
  const next = t.steps[i + 1];
  return i >= 0 && t.steps[i]!.code === 0 && next !== undefined && next.code !== 0 && /view-1 does not exist/.test(next.stderr);
}

beforeAll(async () => {
  stack = await startStack({ label: 'ctrsnap', containerd: true });
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
}, 120_000);

describe('ctr snapshots through the snapfleet proxy', () => {
  let ours: Transcript;
  let theirs: Transcript;

  it('prints what containerd\'s btrfs snapshotter prints', { timeout: 240_000 }, async () => {
    const ctd = stack.containerd!;
    theirs = await runSequence(ctd, 'btrfs', 'cmp');
    // The reference can lose a race inside containerd: its garbage collector dropped the
    // view `view-1` right after `ctr snapshots view` had succeeded (the next command: "does
    // not exist"), leaving the btrfs backend with a child containerd no longer knew. The
    // sequence now makes the view a GC root once collection is quiet (ctr-sequence.ts); should
    // the reference still lose it, it is made again in a fresh namespace. Only the
    // reference: our run is compared as it came.
    for (let attempt = 2; lostViewToGc(theirs) && attempt <= 3; attempt++) {
      console.warn(`containerd's btrfs reference run lost view-1 to its GC; running it again (attempt ${attempt})`);
      theirs = await runSequence(ctd, 'btrfs', `cmp${attempt}`);
    }
    ours = await runSequence(ctd, PROXY_PLUGIN, 'cmp');
    const a = normalize(ours);
    const b = normalize(theirs);
    await writeFile(join(stack.fleet.logs, 'ctr-snapfleet.txt'), a);
    await writeFile(join(stack.fleet.logs, 'ctr-btrfs.txt'), b);
    expect(a).toBe(b);
  });

  // snapfleet's usage is its own (docs/decisions.md, "Usage"): bytes of the extents the
  // snapshot itself wrote, and every inode it changed — including a directory whose entries
  // changed. containerd's btrfs snapshotter runs continuity's DiffUsage instead: st_blocks of
  // each added or modified file (4 KiB for a small inline file) and no directories whose
  // only change is their entries. Same keys, same shape; these figures differ by design.
  it('usage: same keys; figures follow snapfleet\'s definition', () => {
    const o = usageTables(ours);
    const t = usageTables(theirs);
    expect(Object.keys(o)).toEqual(Object.keys(t));
    for (const cmd of Object.keys(t)) expect(Object.keys(o[cmd]!).sort(), cmd).toEqual(Object.keys(t[cmd]!).sort());
    const all = { ours: o.usage!, theirs: t.usage! };
    console.info(`usage, snapfleet vs containerd btrfs: ${JSON.stringify(all)}`);
    // A layer without parent: every inode is its own on both.
    expect(all.ours.base!.inodes).toBe(all.theirs.base!.inodes);
    // Views own nothing on both.
    expect(all.ours['view-1']).toEqual({ size: '0.0 B', inodes: 0 });
    expect(all.theirs['view-1']).toEqual({ size: '0.0 B', inodes: 0 });
    // Two files written in `work`; snapfleet also counts the root directory they changed.
    expect(all.theirs.work!.inodes).toBe(2);
    expect(all.ours.work!.inodes).toBe(3);
    // 13 bytes of content in `work`: snapfleet counts them, not two 4 KiB blocks.
    expect(all.ours.work!.size).toBe('13.0 B');
  });

  it('containerd\'s GC removes the backend snapshots (List, leaf-first Remove, Cleanup)', { timeout: 120_000 }, async () => {
    const api = new SnapfleetClient({ baseUrl: stack.apiUrl });
    const left = async () => {
      const names: string[] = [];
      for await (const s of api.walkAll('default', stack.host.id)) names.push(s.name);
      return names;
    };
    const deadline = Date.now() + 90_000;
    let names = await left();
    let nudgedAt = Date.now();
    while (names.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      names = await left();
      // containerd 1.6's GC scheduler drops a deletion that happened while a collection was
      // running (the event is older than that collection's end), so a snapshot removed in
      // that window waits for the next deletion. Make one: a lease created and deleted.
      if (names.length > 0 && Date.now() - nudgedAt > 10_000) {
        nudgedAt = Date.now();
        const lease = `gc-nudge-${nudgedAt}`;
        await stack.containerd!.ctr('default', ['leases', 'create', '--id', lease]);
        await stack.containerd!.ctr('default', ['leases', 'delete', lease]);
      }
    }
    expect(names).toEqual([]);
    // Log lines travel through a pipe into the file: wait for the last Remove's to land.
    let lines = await stack.proxy.logLines();
    const okRemoves = () => lines.filter((l) => l.method === 'Remove' && l.msg === 'Remove ok');
    for (let i = 0; i < 50 && okRemoves().length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      lines = await stack.proxy.logLines();
    }
    const removes = okRemoves();
    // Leaf first: `base` goes after its children (view-1, layer-2).
    const removed = removes.map((l) => String(l.key).replace(/^cmp\/\d+\//, ''));
    expect(removed.sort()).toEqual(['base', 'layer-2', 'view-1']);
    expect(String(removes.at(-1)?.key)).toMatch(/^cmp\/\d+\/base$/);
    // containerd relays without a containerd-namespace header: everything is in `default`.
    expect(lines.filter((l) => typeof l.method === 'string').every((l) => l.namespace === 'default' && l.nsHeader === false)).toBe(true);
    expect(lines.some((l) => l.method === 'List' && l.msg === 'List ok')).toBe(true);
  });
});
