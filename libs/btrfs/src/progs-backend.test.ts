// Progs-only paths the real kernel rarely takes, forced with a wrapper around `btrfs`.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '../../../test/support/pool';
import { createNativeBackend, ProgsBtrfsBackend } from './index';

describe('progs backend: subvolume otime', () => {
  let pool: Pool;
  let work: string;

  beforeAll(async () => {
    pool = await createPool({ label: 'btrfs-progs-otime' });
    work = await mkdtemp(join(tmpdir(), 'snapfleet-fake-btrfs-'));
  });
  afterAll(async () => {
    await pool?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('commits and reads again when the root item is not on disk yet', async () => {
    // Kernels that do not commit on subvolume creation leave the new root item in memory:
    // the first `dump-tree -t root` here prints an empty tree to stand for that.
    const log = join(work, 'calls');
    const once = join(work, 'hidden-once');
    const fake = join(work, 'btrfs');
    await writeFile(
      fake,
      [
        '#!/bin/sh',
        `echo "$*" >> '${log}'`,
        'case "$*" in',
        `  *"dump-tree"*"-t root"*) if [ ! -e '${once}' ]; then : > '${once}'; echo 'root tree'; exit 0; fi ;;`,
        'esac',
        'exec btrfs "$@"',
        '',
      ].join('\n'),
    );
    await chmod(fake, 0o755);
    const path = join(pool.dir, 'sub');
    await createNativeBackend().createSubvolume(path);

    const info = await new ProgsBtrfsBackend({ binary: fake }).subvolumeInfo(path);
    expect(info).toEqual(await createNativeBackend().subvolumeInfo(path));
    const calls = (await readFile(log, 'utf8')).split('\n').filter((c) => /dump-tree|filesystem sync/.test(c));
    expect(calls.map((c) => (c.includes('dump-tree') ? 'dump-tree' : 'sync'))).toEqual(['dump-tree', 'sync', 'dump-tree']);
  });
});
