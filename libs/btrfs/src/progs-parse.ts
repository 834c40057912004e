// Parsers for the btrfs-progs output the progs backend reads (btrfs-progs 6.x text format,
// produced under LC_ALL=C). Unexpected output is an error, never a silently wrong number.
import type { LineVerdict } from './progs-exec';
import type { SubvolumeInfo, SubvolumeUsage, Timespec, UsageBaseline } from './types';

export class UnexpectedOutputError extends Error {
  override readonly name = 'UnexpectedOutputError';
}

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `btrfs subvolume show`: "\tLabel: \t\tvalue" lines after the path line. Everything but
 * otime, which it prints to the second only (see RootItemScanner).
 */
export function parseSubvolumeShow(stdout: string): Omit<SubvolumeInfo, 'otime'> {
  const fields = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^\t([A-Za-z ()]+):\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined && !fields.has(m[1])) fields.set(m[1], m[2]);
  }
  const number = (label: string): number => {
    const value = fields.get(label);
    if (value === undefined || !/^\d+$/.test(value)) throw new UnexpectedOutputError(`subvolume show: no ${label}`);
    return Number(value);
  };
  const uuid = (label: string): string | null => {
    const value = fields.get(label);
    if (value === '-') return null;
    if (value === undefined || !UUID.test(value)) throw new UnexpectedOutputError(`subvolume show: no ${label}`);
    return value;
  };
  const flags = fields.get('Flags');
  if (flags === undefined) throw new UnexpectedOutputError('subvolume show: no Flags');
  return {
    id: number('Subvolume ID'),
    generation: number('Generation'),
    otransid: number('Gen at creation'),
    readonly: flags.split(/[\s,|]+/).includes('readonly'),
    // The kernel reports an all-zero UUID where progs prints "-" (the native backend's value).
    uuid: uuid('UUID') ?? ZERO_UUID,
    parentUuid: uuid('Parent UUID'),
  };
}

export interface FilesystemShow {
  fsid: string;
  /** Device paths ordered by devid. */
  devices: string[];
}

/** `btrfs filesystem show --raw <path>`: the "uuid:" header and the "devid" lines. */
export function parseFilesystemShow(stdout: string): FilesystemShow {
  const fsid = /\buuid: ([0-9a-f-]{36})\s*$/m.exec(stdout)?.[1];
  if (!fsid || !UUID.test(fsid)) throw new UnexpectedOutputError('filesystem show: no uuid');
  const devices: Array<[number, string]> = [];
  for (const m of stdout.matchAll(/^\s*devid\s+(\d+)\s+size\s+\d+\s+used\s+\d+\s+path\s+(\/.*?)\s*$/gm)) {
    if (m[1] && m[2]) devices.push([Number(m[1]), m[2]]);
  }
  if (devices.length === 0) throw new UnexpectedOutputError('filesystem show: no device');
  devices.sort((a, b) => a[0] - b[0]);
  return { fsid, devices: devices.map(([, path]) => path) };
}

/** `findmnt --json --output TARGET --target <path>`: the mount point holding path. */
export function parseFindmntTarget(stdout: string): string {
  let target: unknown;
  try {
    target = (JSON.parse(stdout) as { filesystems?: Array<{ target?: unknown }> }).filesystems?.[0]?.target;
  } catch {
    throw new UnexpectedOutputError(`findmnt: not JSON: ${stdout.slice(0, 200)}`);
  }
  if (typeof target !== 'string' || !target.startsWith('/')) throw new UnexpectedOutputError('findmnt: no target');
  return target;
}

/**
 * A dump-tree timestamp, "SEC.NSEC": btrfs-progs prints it with "%llu.%u", so NSEC is the
 * nanosecond count NOT zero-padded ("12.5" is 12 s + 5 ns), not a decimal fraction.
 */
export function parseDumpTimespec(sec: string, nsec: string): Timespec {
  const value = { sec: Number(sec), nsec: Number(nsec) };
  if (!Number.isSafeInteger(value.sec) || nsec.length > 9 || value.nsec >= 1e9) {
    throw new UnexpectedOutputError(`dump-tree: bad timestamp ${sec}.${nsec}`);
  }
  return value;
}

// "\titem N key (OBJECTID TYPE OFFSET) itemoff X itemsize Y"; special objectids print as
// names (5 as FS_TREE), subvolume ids (>= 256) as numbers.
const ROOT_ITEM_KEY = /^\titem \d+ key \((\S+) ROOT_ITEM \d+\) itemoff \d+ itemsize \d+$/;
const ITEM_KEY = /^\titem \d+ key /;
const ROOT_UUID = /^\t\tuuid ([0-9a-f-]{36})$/;
const ROOT_OTIME = /^\t\totime (\d+)\.(\d+) \(.*\)$/;
const FS_TREE_OBJECTID = 5;

export interface RootItemFields {
  uuid: string;
  otime: Timespec;
}

/**
 * Finds subvolume `id`'s ROOT_ITEM in `btrfs inspect-internal dump-tree -t root` output fed
 * line by line, and reads its uuid and otime (creation time to the nanosecond, which
 * `subvolume show` rounds to the second). line() says 'stop' once both are read.
 */
export class RootItemScanner {
  private readonly objectid: string;
  private inItem = false;
  private uuid: string | undefined;
  private found: RootItemFields | undefined;

  constructor(id: number) {
    this.objectid = id === FS_TREE_OBJECTID ? 'FS_TREE' : String(id);
  }

  line(line: string): LineVerdict {
    if (ITEM_KEY.test(line)) {
      if (this.inItem) throw new UnexpectedOutputError(`dump-tree: root item ${this.objectid} without uuid/otime`);
      this.inItem = ROOT_ITEM_KEY.exec(line)?.[1] === this.objectid;
      return;
    }
    if (!this.inItem) return;
    const uuid = ROOT_UUID.exec(line);
    if (uuid?.[1]) {
      this.uuid = uuid[1];
      return;
    }
    const otime = ROOT_OTIME.exec(line);
    if (otime?.[1] && otime[2]) {
      // uuid and otime are printed only for v2 root items, uuid first.
      if (!this.uuid) throw new UnexpectedOutputError(`dump-tree: root item ${this.objectid}: otime before uuid`);
      this.found = { uuid: this.uuid, otime: parseDumpTimespec(otime[1], otime[2]) };
      this.inItem = false;
      return 'stop';
    }
  }

  /** The root item's fields, undefined when the output did not hold it. */
  result(): RootItemFields | undefined {
    if (this.inItem) throw new UnexpectedOutputError(`dump-tree: root item ${this.objectid} without uuid/otime`);
    return this.found;
  }
}

const FIRST_FREE_OBJECTID = 256n;
const LAST_FREE_OBJECTID = 2n ** 64n - 256n;
// Leaf items print as "\titem N key (OBJECTID TYPE OFFSET) itemoff X itemsize Y"; special
// objectids print as names and so never match.
const INODE_KEY = /^\titem \d+ key \((\d+) INODE_ITEM 0\) itemoff \d+ itemsize \d+$/;
const INODE_BODY = /^\t\tgeneration \d+ transid (\d+) size \d+ nbytes (\d+)$/;
// Then "block group ...", "sequence ...", "atime ...", and:
const INODE_CTIME = /^\t\tctime (\d+)\.(\d+) \(.*\)$/;
const INODE_FIELD = /^\t\t/;

/**
 * Tallies `btrfs inspect-internal dump-tree --hide-names -t <subvol>` output, fed line by
 * line: inodes (objectid >= 256), with a baseline only those whose own transid is above
 * `since.transid` and whose ctime is at or after `since.otime`. The same rule as the
 * native TREE_SEARCH (native/src/usage.cc says why the ctime floor), so both backends give
 * identical numbers.
 */
export class InodeItemTally {
  private state: 'key' | 'body' | 'ctime' = 'key';
  private pending: { transid: bigint; nbytes: number } | undefined;
  private readonly usage: SubvolumeUsage = { size: 0, inodes: 0 };
  private readonly sinceTransid: bigint | undefined;
  private readonly sinceOtime: { sec: bigint; nsec: number } | undefined;

  constructor(since?: UsageBaseline) {
    if (since) {
      this.sinceTransid = BigInt(since.transid);
      this.sinceOtime = { sec: BigInt(since.otime.sec), nsec: since.otime.nsec };
    }
  }

  line(line: string): void {
    if (this.state === 'body') {
      const body = INODE_BODY.exec(line);
      if (!body?.[1] || !body[2]) throw new UnexpectedOutputError(`dump-tree: unexpected inode item: ${line}`);
      this.pending = { transid: BigInt(body[1]), nbytes: Number(body[2]) };
      this.state = 'ctime';
      return;
    }
    if (this.state === 'ctime') {
      const ctime = INODE_CTIME.exec(line);
      if (ctime?.[1] && ctime[2]) {
        this.state = 'key';
        this.count(BigInt(ctime[1]), Number(ctime[2]));
        return;
      }
      if (!INODE_FIELD.test(line)) throw new UnexpectedOutputError(`dump-tree: inode item without ctime: ${line}`);
      return;
    }
    const key = INODE_KEY.exec(line);
    if (!key?.[1]) return;
    const objectid = BigInt(key[1]);
    if (objectid >= FIRST_FREE_OBJECTID && objectid <= LAST_FREE_OBJECTID) this.state = 'body';
  }

  result(): SubvolumeUsage {
    if (this.state !== 'key') throw new UnexpectedOutputError('dump-tree: output ends inside an inode item');
    return { ...this.usage };
  }

  private count(ctimeSec: bigint, ctimeNsec: number): void {
    const item = this.pending as { transid: bigint; nbytes: number };
    this.pending = undefined;
    if (ctimeNsec >= 1e9) throw new UnexpectedOutputError(`dump-tree: bad ctime nanoseconds ${ctimeNsec}`);
    if (this.sinceTransid !== undefined && this.sinceOtime) {
      if (item.transid <= this.sinceTransid) return;
      const before =
        ctimeSec < this.sinceOtime.sec || (ctimeSec === this.sinceOtime.sec && ctimeNsec < this.sinceOtime.nsec);
      if (before) return;
    }
    this.usage.inodes++;
    this.usage.size += item.nbytes;
  }
}
