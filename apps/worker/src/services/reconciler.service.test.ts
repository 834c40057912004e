// Against a real loop-mounted btrfs pool and a real MariaDB database.
import { join } from 'node:path';
import { silentLogger } from '@snapfleet/contracts';
import type { Snapshotter } from '@snapfleet/snapshotter';
import { PinoLogger } from 'nestjs-pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHarness, type Harness } from '../../../../test/support/snapshotter';
import { loadWorkerConfig } from '../config/worker-config';
import { MetadataRepository } from '../repositories/metadata.repository';
import { OP_RECORD_TTL_MS } from '../config/retention';
import { Reconciler } from './reconciler.service';

describe('Reconciler', () => {
  let h: Harness;
  let snapshotter: Snapshotter;
  let metadata: MetadataRepository;
  let reconciler: Reconciler;

  beforeAll(async () => {
    h = await makeHarness({ label: 'reconciler' });
    snapshotter = await h.host();
    metadata = await MetadataRepository.open(h.db.url, { poolSize: 4, log: silentLogger });
    const config = loadWorkerConfig({ SNAPFLEET_HOST_ID: snapshotter.hostId, SNAPFLEET_ROOT: snapshotter.root });
    reconciler = new Reconciler(config, snapshotter, metadata, new PinoLogger({ pinoHttp: { level: 'silent' } }));
  });

  afterAll(async () => {
    await reconciler?.stop();
    await metadata?.close();
    await h?.dispose();
  });

  it('deletes orphan subvolumes and keeps the ones rows reference', async () => {
    const kept = await snapshotter.prepare({ namespace: 'default', key: 'kept' });
    // An orphan as a crash between the btrfs op and the metadata commit leaves it.
    await h.btrfs.createSubvolume(join(snapshotter.root, 'active', '999999'));
    const r = await reconciler.reconcile();
    expect(r.removed).toBe(1);
    await expect(h.btrfs.subvolumeInfo(kept.path)).resolves.toMatchObject({ readonly: false });
    await expect(h.btrfs.subvolumeInfo(join(snapshotter.root, 'active', '999999'))).rejects.toThrow();
  });

  it('prunes op records older than a day, keeps newer ones', async () => {
    await snapshotter.prepare({ namespace: 'default', key: 'old-op' }, { opId: 'op-old' });
    await snapshotter.prepare({ namespace: 'default', key: 'new-op' }, { opId: 'op-new' });
    await metadata.store.query(
      'UPDATE ops SET created_at = ? WHERE host_id = ? AND op_id = ?',
      [new Date(Date.now() - OP_RECORD_TTL_MS - 60_000), snapshotter.hostId, 'op-old'],
      'ageing an op record',
    );
    const r = await reconciler.reconcile();
    expect(r.prunedOps).toBe(1);
    expect(await metadata.store.findOp(snapshotter.hostId, 'op-old')).toBeUndefined();
    expect(await metadata.store.findOp(snapshotter.hostId, 'op-new')).toBeDefined();
  });

  it('runs cleanups one after another, never side by side', async () => {
    for (let i = 0; i < 4; i++) await h.btrfs.createSubvolume(join(snapshotter.root, 'view', String(800000 + i)));
    // Together they see each orphan exactly once: overlapping runs would race for them.
    const results = await Promise.all([reconciler.cleanup(), reconciler.reconcile(), reconciler.cleanup()]);
    expect(results.map((r) => r.removed)).toEqual([4, 0, 0]);
  });

  it('reports cleanup progress to a job', async () => {
    await h.btrfs.createSubvolume(join(snapshotter.root, 'active', '777777'));
    const seen: number[] = [];
    await reconciler.cleanup({ progress: (p) => seen.push(p) });
    expect(seen.at(-1)).toBe(100);
  });
});
