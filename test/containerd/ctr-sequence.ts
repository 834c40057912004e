// One fixed `ctr snapshots …` session — prepare, mounts, write through the mount, commit,
// info, usage, view, label, ls, tree, error cases, rm — run against a named snapshotter of a
// private containerd. The transcript (each command, its exit status and output) is what the
// tests compare between snapfleet and containerd's built-in btrfs snapshotter.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrivateContainerd } from './containerd';
import { run, runOk } from './run';

export interface Step {
  args: string[];
  /** Pause first, so a garbage collection the previous deletions set off is over (see SEQUENCE). */
  settleBefore?: boolean;
  /** Work done through the mount between commands (writes to an active snapshot). */
  write?: { key: string; files: Record<string, string | Buffer> };
}

export interface Transcript {
  steps: Array<{ cmd: string; code: number | null; stdout: string; stderr: string }>;
}

const MOUNT_TARGET = '/mnt/snapfleet-ctr-target';
/** A collection of this tiny database takes milliseconds; containerd starts one soon after a deletion. */
const GC_SETTLE_MS = 1_000;

/** 100,000 bytes that do not compress (btrfs would not inline or compress them anyway). */
const BIG = Buffer.alloc(100_000, 'snapfleet-');

export const SEQUENCE: Step[] = [
  { args: ['prepare', 'base-a'] },
  { args: ['mounts', MOUNT_TARGET, 'base-a'], write: { key: 'base-a', files: { 'hello.txt': 'hello\n', 'dir/data.bin': BIG, 'dir/sub/x': 'x' } } },
  { args: ['commit', 'base', 'base-a'] },
  { args: ['info', 'base'] },
  { args: ['usage', 'base'] },
  // `ctr snapshots view` gives a view no GC-root label, so containerd's collector removes
  // view-1 whenever it runs next — a timing race that once in a while made one transcript
  // lose it. The view is made once the collection set off by the commit above is over, and
  // labelled a root at once (with no deletion in between, no collection is due).
  { args: ['view', 'view-1', 'base'], settleBefore: true },
  { args: ['label', 'view-1', 'containerd.io/gc.root=keep'] },
  { args: ['mounts', MOUNT_TARGET, 'view-1'] },
  { args: ['prepare', 'work', 'base'], write: { key: 'work', files: { 'work.txt': 'work\n', 'hello.txt': 'changed\n' } } },
  { args: ['info', 'work'] },
  { args: ['usage', 'work'] },
  { args: ['usage'] },
  { args: ['label', 'base', 'foo=bar', 'containerd.io/snapshot/keep=yes'] },
  { args: ['info', 'base'] },
  { args: ['label', 'base', 'foo='] },
  { args: ['info', 'base'] },
  { args: ['ls'] },
  { args: ['tree'] },
  { args: ['info', 'missing'] },
  { args: ['commit', 'base', 'work'] },
  { args: ['prepare', 'base'] },
  { args: ['view', 'view-2', 'work'] },
  { args: ['rm', 'base'] },
  { args: ['commit', 'layer-2', 'work'] },
  { args: ['tree'] },
  { args: ['rm', 'view-1'] },
  { args: ['rm', 'layer-2'] },
  { args: ['ls'] },
  { args: ['rm', 'base'] },
  { args: ['ls'] },
];

/** Mounts what `ctr snapshots mounts` printed (a mount(8) command line) at `dir`. */
async function mountPrinted(line: string, dir: string): Promise<void> {
  const m = /^mount -t (\S+) (\S+) \S+ -o (\S+)$/.exec(line.trim());
  if (!m) throw new Error(`unexpected ctr mounts output: ${JSON.stringify(line)}`);
  await runOk('mount', ['-t', m[1]!, '-o', m[3]!, m[2]!, dir]);
}

export async function runSequence(ctd: PrivateContainerd, snapshotter: string, ns: string): Promise<Transcript> {
  const scratch = await mkdtemp(join(ctd.dir, 'seq-'));
  const steps: Transcript['steps'] = [];
  for (const [i, step] of SEQUENCE.entries()) {
    if (step.settleBefore === true) await new Promise((r) => setTimeout(r, GC_SETTLE_MS));
    const args = ['snapshots', '--snapshotter', snapshotter, ...step.args];
    // Only the first call may meet containerd still connecting to the proxy.
    const r = i === 0 ? await ctd.ctrReady(ns, args) : await ctd.ctr(ns, args);
    steps.push({ cmd: step.args.join(' '), code: r.code, stdout: r.stdout, stderr: r.stderr });
    if (step.write) {
      const printed = step.args[0] === 'mounts' ? r.stdout : await runOk('ctr', ['--address', ctd.socket, '--namespace', ns, 'snapshots', '--snapshotter', snapshotter, 'mounts', MOUNT_TARGET, step.write.key]);
      const dir = join(scratch, `m${i}`);
      await mkdir(dir);
      await mountPrinted(printed, dir);
      try {
        for (const [rel, content] of Object.entries(step.write.files)) {
          await mkdir(join(dir, rel, '..'), { recursive: true });
          await writeFile(join(dir, rel), content);
        }
      } finally {
        await run('umount', [dir]);
      }
    }
  }
  return { steps };
}

/**
 * Removes what legitimately differs between two snapshotters and two runs: loop devices,
 * subvolume ids, timestamps, the namespace of a repeated reference run, label order in
 * `ctr snapshots label` (Go map order), and the
 * figures of `usage` tables, which snapfleet defines differently (see usageTables()).
 */
export function normalize(t: Transcript): string {
  return t.steps
    .map((s) => {
      let out = `$ ctr snapshots ${s.cmd}\n[exit ${s.code}]\n${s.stdout}${s.stderr}`;
      out = out
        .replace(/\/dev\/loop\d+/g, '/dev/LOOP')
        .replace(/subvolid=\d+/g, 'subvolid=ID')
        .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME')
        .replace(/^time="[^"]*" level=/gm, 'level=')
        // containerd names snapshots `<namespace>/<id>/<key>` in errors; a reference run made
        // again in a fresh namespace (`cmp2`, see ctr-snapshots.test.ts) differs only there.
        .replace(/"cmp\d+\//g, '"cmp/');
      if (s.cmd === 'usage' || s.cmd.startsWith('usage ')) {
        // Keys stay; SIZE and INODES (and the column widths they cause) go.
        out = out.replace(/^(\S+) +\d+(?:\.\d+)? \S*B +\d+ *$/gm, '$1 SIZE INODES').replace(/^KEY +SIZE +INODES *$/m, 'KEY SIZE INODES');
      }
      if (s.cmd.startsWith('label ')) {
        out = out.replace(/^([^$\n[][^\n]*=[^\n]*)$/m, (line) => line.split(',').sort().join(','));
      }
      return out;
    })
    .join('\n');
}

export interface UsageRow {
  /** As ctr prints it, e.g. "100.0 KiB". */
  size: string;
  inodes: number;
}

/** The rows of every `usage` command, by command: { 'usage base': { base: {...} } }. */
export function usageTables(t: Transcript): Record<string, Record<string, UsageRow>> {
  const out: Record<string, Record<string, UsageRow>> = {};
  for (const s of t.steps) {
    if (s.cmd !== 'usage' && !s.cmd.startsWith('usage ')) continue;
    const rows: Record<string, UsageRow> = {};
    for (const m of s.stdout.matchAll(/^(\S+) +(\d+(?:\.\d+)? \S*B) +(\d+) *$/gm)) rows[m[1]!] = { size: m[2]!, inodes: Number(m[3]) };
    out[s.cmd] = rows;
  }
  return out;
}
