// Parsers of btrfs-progs output, on text captured from btrfs-progs 6.2 (the contract suite
// runs them against the real tool; these pin the edge cases it cannot easily produce).
import { describe, expect, it } from 'vitest';
import { classifyStderr } from './progs-exec';
import {
  InodeItemTally,
  parseDumpTimespec,
  parseFilesystemShow,
  parseFindmntTarget,
  parseSubvolumeShow,
  RootItemScanner,
  UnexpectedOutputError,
} from './progs-parse';

describe('parseSubvolumeShow', () => {
  it('reads ids, flags and uuids', () => {
    const out = [
      's5',
      '\tName: \t\t\ts5',
      '\tUUID: \t\t\td679a7c7-1e65-2342-9372-4c82de0f0efd',
      '\tParent UUID: \t\t5a7f628b-9ff8-774d-8e76-e8f7d3674109',
      '\tReceived UUID: \t\t-',
      '\tSubvolume ID: \t\t259',
      '\tGeneration: \t\t13',
      '\tGen at creation: \t13',
      '\tFlags: \t\t\treadonly',
      '\tSnapshot(s):',
      '\t\t\t\tother',
    ].join('\n');
    expect(parseSubvolumeShow(out)).toEqual({
      id: 259,
      generation: 13,
      otransid: 13,
      readonly: true,
      uuid: 'd679a7c7-1e65-2342-9372-4c82de0f0efd',
      parentUuid: '5a7f628b-9ff8-774d-8e76-e8f7d3674109',
    });
  });

  it('refuses output without the fields', () => {
    expect(() => parseSubvolumeShow('ERROR: something\n')).toThrow(UnexpectedOutputError);
  });
});

describe('parseFilesystemShow', () => {
  it('takes the uuid and devices by devid, skipping missing ones', () => {
    const out = [
      "Label: 'my pool'  uuid: d06fa75e-1980-4c57-ab2b-87687e98be70",
      '\tTotal devices 3 FS bytes used 249856',
      '\tdevid    2 size 1073741824 used 132513792 path /dev/loop7',
      '\tdevid    1 size 1073741824 used 132513792 path /dev/loop3',
      '\tdevid    3 size 0 used 0 path <missing disk> MISSING',
    ].join('\n');
    expect(parseFilesystemShow(out)).toEqual({
      fsid: 'd06fa75e-1980-4c57-ab2b-87687e98be70',
      devices: ['/dev/loop3', '/dev/loop7'],
    });
  });
});

describe('parseFindmntTarget', () => {
  it('reads the mount point, spaces included', () => {
    expect(parseFindmntTarget('{"filesystems": [{"target": "/mnt/a pool"}]}')).toBe('/mnt/a pool');
    expect(() => parseFindmntTarget('nope')).toThrow(UnexpectedOutputError);
  });
});

// An inode item as dump-tree prints it (btrfs-progs 6.2); nanoseconds are printed unpadded.
function inodeItem(slot: number, objectid: string, transid: number, nbytes: number, ctime: string): string[] {
  return [
    `\titem ${slot} key (${objectid} INODE_ITEM 0) itemoff 16123 itemsize 160`,
    `\t\tgeneration 7 transid ${transid} size ${nbytes} nbytes ${nbytes}`,
    '\t\tblock group 0 mode 100644 links 1 uid 0 gid 0 rdev 0',
    '\t\tsequence 3 flags 0x0(none)',
    '\t\tatime 1795884658.146712513 (2026-11-28 16:50:58)',
    `\t\tctime ${ctime} (2026-11-28 16:50:58)`,
    '\t\tmtime 1795884658.98712513 (2026-11-28 16:50:58)',
    '\t\totime 1795884658.94712513 (2026-11-28 16:50:58)',
  ];
}

describe('parseDumpTimespec', () => {
  it('reads the nanoseconds as an unpadded integer, not a fraction', () => {
    expect(parseDumpTimespec('1795884658', '94712513')).toEqual({ sec: 1795884658, nsec: 94_712_513 });
    expect(parseDumpTimespec('12', '5')).toEqual({ sec: 12, nsec: 5 });
    expect(() => parseDumpTimespec('12', '1000000000')).toThrow(UnexpectedOutputError);
  });
});

describe('InodeItemTally', () => {
  const otime = { sec: 1795884658, nsec: 110_712_513 };
  const dump = [
    'leaf 31555584 items 16 free space 14927 generation 16 owner 256',
    ...inodeItem(0, '256', 15, 0, '1795884658.146712513'), // changed after the baseline
    '\titem 1 key (256 INODE_REF 256) itemoff 16111 itemsize 12',
    '\t\tindex 0 namelen 2 name: HIDDEN',
    ...inodeItem(2, '257', 7, 5, '1795884658.146712513'), // transid not above the baseline
    ...inodeItem(3, '258', 20, 12_288, '1795884658.98712513'), // only read: ctime before otime
    ...inodeItem(4, '259', 21, 4096, '1795884658.110712513'), // ctime == otime counts
    ...inodeItem(5, '260', 22, 8192, '1795884659.5'), // 5 ns past a later second
    ...inodeItem(6, 'FREE_INO', 99, 4096, '1795884659.5'),
  ];

  it('counts inodes with transid above since.transid and ctime at or after since.otime', () => {
    const tally = new InodeItemTally({ transid: 7, otime });
    dump.forEach((line) => tally.line(line));
    expect(tally.result()).toEqual({ inodes: 3, size: 4096 + 8192 });
  });

  it('compares nanoseconds within the same second', () => {
    const tally = new InodeItemTally({ transid: 7, otime: { sec: 1795884658, nsec: 110_712_514 } });
    dump.forEach((line) => tally.line(line));
    expect(tally.result()).toEqual({ inodes: 2, size: 8192 });
  });

  it('counts everything without a baseline', () => {
    const tally = new InodeItemTally();
    dump.forEach((line) => tally.line(line));
    expect(tally.result()).toEqual({ inodes: 5, size: 5 + 12_288 + 4096 + 8192 });
  });

  it('refuses an inode key not followed by its body', () => {
    const tally = new InodeItemTally();
    tally.line('\titem 0 key (256 INODE_ITEM 0) itemoff 16123 itemsize 160');
    expect(() => tally.line('\t\tsomething else')).toThrow(UnexpectedOutputError);
  });

  it('refuses an inode item without its ctime', () => {
    const tally = new InodeItemTally();
    inodeItem(0, '256', 15, 0, '1.0').slice(0, 4).forEach((line) => tally.line(line));
    expect(() => tally.line('\titem 1 key (256 INODE_REF 256) itemoff 16111 itemsize 12')).toThrow(UnexpectedOutputError);
    const truncated = new InodeItemTally();
    inodeItem(0, '256', 15, 0, '1.0').slice(0, 3).forEach((line) => truncated.line(line));
    expect(() => truncated.result()).toThrow(UnexpectedOutputError);
  });
});

describe('RootItemScanner', () => {
  // `btrfs inspect-internal dump-tree --hide-names -t root` (btrfs-progs 6.2), abridged.
  const rootItem = (objectid: string, offset: number, uuid: string, otime: string) => [
    `\titem 3 key (${objectid} ROOT_ITEM ${offset}) itemoff 14949 itemsize 439`,
    '\t\tgeneration 7 root_dirid 256 bytenr 30507008 byte_limit 0 bytes_used 16384',
    '\t\tlast_snapshot 7 flags 0x1(RDONLY) refs 1',
    '\t\tdrop_progress key (0 UNKNOWN.0 0) drop_level 0',
    '\t\tlevel 0 generation_v2 7',
    `\t\tuuid ${uuid}`,
    '\t\tparent_uuid 00000000-0000-0000-0000-000000000000',
    '\t\treceived_uuid 00000000-0000-0000-0000-000000000000',
    '\t\tctransid 7 otransid 7 stransid 0 rtransid 0',
    '\t\tctime 1795884529.913580751 (2026-11-28 16:48:49)',
    `\t\totime ${otime} (2026-11-28 16:48:49)`,
    '\t\tstime 0.0 (1970-01-01 00:00:00)',
    '\t\trtime 0.0 (1970-01-01 00:00:00)',
  ];
  const UUID_A = '11fb2ea3-80c0-1048-a6e9-ab21198975a5';
  const UUID_B = 'ed82c751-f0f8-0549-83f7-fa26893fa699';
  const dump = [
    'root tree',
    'leaf 30457856 items 17 free space 11605 generation 7 owner ROOT_TREE',
    ...rootItem('FS_TREE', 0, UUID_B, '1795884529.0'),
    '\titem 4 key (FS_TREE ROOT_REF 256) itemoff 14920 itemsize 19',
    '\t\troot ref key dirid 256 sequence 2 name HIDDEN',
    ...rootItem('256', 0, UUID_B, '1795884529.898712513'),
    '\titem 13 key (256 ROOT_BACKREF 5) itemoff 12927 itemsize 19',
    ...rootItem('257', 7, UUID_A, '1795884529.10712513'),
  ];

  const scan = (id: number, lines: string[]) => {
    const scanner = new RootItemScanner(id);
    let stoppedAt = -1;
    for (const [i, line] of lines.entries()) {
      if (scanner.line(line) === 'stop') {
        stoppedAt = i;
        break;
      }
    }
    return { found: scanner.result(), stoppedAt };
  };

  it("reads a subvolume's uuid and otime and stops there", () => {
    expect(scan(257, dump)).toEqual({ found: { uuid: UUID_A, otime: { sec: 1795884529, nsec: 10_712_513 } }, stoppedAt: dump.length - 3 });
    expect(scan(256, dump).found).toEqual({ uuid: UUID_B, otime: { sec: 1795884529, nsec: 898_712_513 } });
  });

  it('names the top-level subvolume FS_TREE', () => {
    expect(scan(5, dump).found).toEqual({ uuid: UUID_B, otime: { sec: 1795884529, nsec: 0 } });
  });

  it('returns nothing for a subvolume not in the output', () => {
    expect(scan(258, dump)).toEqual({ found: undefined, stoppedAt: -1 });
  });

  it('refuses a root item without otime', () => {
    const item = rootItem('257', 7, UUID_A, '1.0');
    expect(() => scan(257, [...item.slice(0, 5), '\titem 4 key (257 ROOT_BACKREF 5) itemoff 1 itemsize 19'])).toThrow(
      UnexpectedOutputError,
    );
    expect(() => scan(257, item.slice(0, 5))).toThrow(UnexpectedOutputError);
  });
});

describe('classifyStderr', () => {
  it.each([
    ['ERROR: Not a Btrfs filesystem: Invalid argument', 'ENOTTY'],
    ['ERROR: not a valid btrfs filesystem: /tmp', 'ENOTTY'],
    ['ERROR: Not a Btrfs subvolume: Invalid argument', 'EINVAL'],
    ['ERROR: target path already exists: x1', 'EEXIST'],
    ['ERROR: cannot create subvolume: Read-only file system', 'EROFS'],
    ['ERROR: Could not statfs: No such file or directory', 'ENOENT'],
    ['ERROR: cannot delete: Directory not empty', 'ENOTEMPTY'],
    ['ERROR: cannot snapshot: No space left on device', 'ENOSPC'],
  ])('%s -> %s', (stderr, code) => {
    expect(classifyStderr(stderr)).toBe(code);
  });

  it('knows nothing of unknown messages', () => {
    expect(classifyStderr('ERROR: something odd')).toBeUndefined();
  });
});
