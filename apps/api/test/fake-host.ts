// Plays a host for API tests: a plain BullMQ Worker on the host's queue that runs each op
// on the metadata alone (real MySQL rows through the metastore's transactions, no btrfs)
// and answers as the real worker does — results as return values, typed errors as
// UnrecoverableError(encodeJobError(...)). A test double of our own worker process only;
// Redis, BullMQ and MySQL are real.
import { join } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  QUEUE_PREFIX,
  SnapfleetError,
  encodeJobError,
  queueName,
  type CommitPayload,
  type CreatePayload,
  type JobData,
  type KeyPayload,
  type Kind,
  type OpName,
  type UpdatePayload,
} from '@snapfleet/contracts';
import { HostStore, type MetaStore, type MetaTransaction } from '@snapfleet/metastore';

export const FAKE_USAGE = { size: 12_345, inodes: 7 };
export const COMMIT_USAGE = { size: 4096, inodes: 3 };

export interface FakeHost {
  id: string;
  root: string;
  device: string;
  /** Ids of every job this host ran, in order. */
  ran: string[];
  /** While set, every job waits until it is cleared (for 202 and polling tests). */
  hold(): () => void;
  /** Writes a heartbeat now, or one `ageMs` in the past. */
  heartbeat(ageMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DIRS: Record<Kind, string> = { active: 'active', view: 'view', committed: 'snapshots' };

export async function startFakeHost(opts: { id: string; redisUrl: string; store: MetaStore; register?: boolean }): Promise<FakeHost> {
  const { id, store } = opts;
  const root = `/srv/fake/${id}`;
  const device = `/dev/fake-${id}`;
  const hosts = new HostStore(store.dataSource);
  if (opts.register !== false) await hosts.register({ id, root, device, fsid: '00000000-0000-4000-8000-000000000000', version: 'fake' });
  const ran: string[] = [];
  let gate: Promise<void> | undefined;

  const mounts = (kind: Kind, subvolumeId: number) => [
    { type: 'btrfs', source: device, options: kind === 'active' ? [`subvolid=${subvolumeId}`] : [`subvolid=${subvolumeId}`, 'ro'] },
  ];

  async function inTransaction<T>(job: Job<JobData, unknown, OpName>, fn: (tx: MetaTransaction) => Promise<T> | T): Promise<T> {
    const tx = await store.begin(id);
    try {
      const result = await fn(tx);
      const namespace = (job.data.payload as { namespace?: string }).namespace;
      tx.recordOp(job.id ?? '', job.name, result, namespace);
      await tx.commit();
      return result;
    } catch (err) {
      await tx.rollback();
      throw err;
    }
  }

  async function run(job: Job<JobData, unknown, OpName>): Promise<unknown> {
    switch (job.name) {
      case 'prepare':
      case 'view':
        return inTransaction(job, async (tx) => {
          const p = job.data.payload as CreatePayload;
          const kind = job.name === 'view' ? 'view' : 'active';
          const created = await tx.createSnapshot({ ...p, kind, opId: job.id ?? '' });
          const subvolumeId = 256 + created.id;
          tx.setSubvolumeId(created.id, subvolumeId);
          return { info: created.info, mounts: mounts(kind, subvolumeId), path: join(root, DIRS[kind], String(created.id)) };
        });
      case 'commit':
        return inTransaction(job, async (tx) => {
          const p = job.data.payload as CommitPayload;
          const active = await tx.getActiveForCommit(p.namespace, p.name, p.key);
          const info = tx.commitActive({ active, name: p.name, usage: COMMIT_USAGE, subvolumeId: 5000 + active.id, ...(p.labels ? { labels: p.labels } : {}) });
          return { info };
        });
      case 'remove':
        return inTransaction(job, async (tx) => {
          const p = job.data.payload as KeyPayload;
          tx.removeSnapshot(p.namespace, p.key);
          return { removed: true };
        });
      case 'update':
        return inTransaction(job, async (tx) => {
          const p = job.data.payload as UpdatePayload;
          return { info: await tx.updateLabels(p.namespace, p.key, p.labels ?? {}, p.fieldpaths ?? []) };
        });
      case 'usage':
        return FAKE_USAGE;
      case 'cleanup':
        return { removed: 0 };
    }
  }

  const worker = new Worker<JobData, unknown, OpName>(
    queueName(id),
    async (job) => {
      ran.push(job.id ?? '');
      await gate;
      try {
        return await run(job);
      } catch (err) {
        if (err instanceof SnapfleetError) throw new UnrecoverableError(encodeJobError(err));
        throw err;
      }
    },
    { connection: { url: opts.redisUrl }, prefix: QUEUE_PREFIX, concurrency: 8 },
  );
  worker.on('error', () => undefined);
  await worker.waitUntilReady();

  const host: FakeHost = {
    id,
    root,
    device,
    ran,
    hold() {
      let release = () => undefined as void;
      gate = new Promise<void>((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    async heartbeat(ageMs = 0) {
      await hosts.heartbeat(id, { sizeBytes: 1 << 30, freeBytes: 1 << 29, draining: false, workers: 1 });
      if (ageMs > 0) {
        await store.query('UPDATE host_status SET heartbeat_at = ? WHERE host_id = ?', [new Date(Date.now() - ageMs), id], 'aging a heartbeat');
      }
    },
    close: () => worker.close(),
  };
  await host.heartbeat();
  return host;
}
