// The Nest wiring, in-process, on a real pool, database and Redis: the runtime-made
// processor class becomes exactly one BullMQ worker of the host's queue, with the listeners
// it declares, and closing the application drains and releases everything.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_PREFIX, queueName } from '@snapfleet/contracts';
import { HostStore } from '@snapfleet/metastore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestDatabase, type TestDatabase } from '../../../test/support/db';
import { createPool, type Pool } from '../../../test/support/pool';
import { loadWorkerConfig } from './config/worker-config';
import { OP_PROCESSOR_CLASS, type OpProcessor } from './jobs/op.processor';
import { MetadataRepository } from './repositories/metadata.repository';
import { HostHeartbeat } from './services/host-heartbeat.service';
import { WorkerLifecycle } from './services/worker-lifecycle.service';
import { WorkerModule } from './worker.module';

const REDIS_URL = process.env.SNAPFLEET_TEST_REDIS ?? 'redis://127.0.0.1:6379';

describe('WorkerModule', () => {
  const hostId = `wm${randomBytes(4).toString('hex')}`;
  let pool: Pool | undefined;
  let db: TestDatabase | undefined;
  let app: INestApplicationContext | undefined;
  let queue: Queue | undefined;

  beforeAll(async () => {
    queue = new Queue(queueName(hostId), { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
    pool = await createPool({ label: 'worker-module' });
    db = makeTestDatabase('worker_module');
    const root = join(pool.dir, 'root');
    await mkdir(root);
    const config = loadWorkerConfig({
      SNAPFLEET_HOST_ID: hostId,
      SNAPFLEET_ROOT: root,
      SNAPFLEET_MYSQL_URL: db.url,
      SNAPFLEET_REDIS_URL: REDIS_URL,
      SNAPFLEET_LOG_LEVEL: 'silent',
    });
    app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false, abortOnError: false });
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    const redis = new Redis(REDIS_URL);
    const fences = await redis.keys(`{snapfleet:${hostId}}*`);
    if (fences.length > 0) await redis.del(...fences);
    await redis.quit();
    await db?.dispose().catch(() => undefined);
    await pool?.dispose();
  });

  it('runs exactly one worker on the host queue', async () => {
    // Counted through Redis' CLIENT LIST, as the heartbeat counts them.
    let count = 0;
    for (let i = 0; i < 50 && count === 0; i++) {
      count = (await queue!.getWorkers()).length;
      if (count === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(count).toBe(1);
    const processorClass = app!.get<Type<OpProcessor>>(OP_PROCESSOR_CLASS);
    const worker = app!.get(processorClass).worker;
    expect(worker.name).toBe(queueName(hostId));
    expect(worker.concurrency).toBe(8);
    // @OnWorkerEvent listeners of the base class reach the runtime-made subclass.
    expect(worker.listenerCount('error')).toBeGreaterThan(0);
  });

  it('drains once, however often asked, then the heartbeat says draining', async () => {
    const lifecycle = app!.get(WorkerLifecycle);
    await Promise.all([lifecycle.drain('test'), lifecycle.drain('test again')]);
    expect((await queue!.getWorkers()).length).toBe(0);
    const host = await new HostStore(app!.get(MetadataRepository).store.dataSource).get(hostId);
    expect(host).toMatchObject({ draining: true, workers: 1 });
    // Stopped: another beat writes nothing.
    const before = (await new HostStore(app!.get(MetadataRepository).store.dataSource).get(hostId))!.heartbeatAt;
    await app!.get(HostHeartbeat).beat();
    expect((await new HostStore(app!.get(MetadataRepository).store.dataSource).get(hostId))!.heartbeatAt).toEqual(before);
  });
});
