// The external systems, each behind one repository, and the snapshotter built on them —
// opened in an order Nest derives from the factories' dependencies: the pool first (a root
// that is not a btrfs directory fails start-up before anything is created anywhere), then
// MySQL (database created and migrated), then the snapshotter (layout under the root, host
// row), and Redis for locks. MySQL and Redis are waited for a bounded time, then start-up
// fails with the reason. Global, because BullModule's async configuration waits on
// LockRepository (see worker.module.ts).
import { Global, Module } from '@nestjs/common';
import { Snapshotter, faultHookFromSpecs, type FaultHook } from '@snapfleet/snapshotter';
import { PinoLogger } from 'nestjs-pino';
import { packageVersion } from '../config/package-version';
import type { WorkerConfig } from '../config/worker-config';
import { WORKER_CONFIG } from '../config/worker-config.module';
import { LockRepository } from './lock.repository';
import { MetadataRepository } from './metadata.repository';
import { PoolRepository } from './pool.repository';

/** Fault injection for the fault tests: loud when on, absent otherwise. */
function faultsOf(config: WorkerConfig, log: PinoLogger): { faults?: FaultHook } {
  if (config.faults.length === 0) return {};
  log.warn({ faults: config.faults }, 'FAULT INJECTION IS ON (SNAPFLEET_FAULTS): for tests only');
  return { faults: faultHookFromSpecs(config.faults) };
}

@Global()
@Module({
  providers: [
    {
      provide: PoolRepository,
      inject: [WORKER_CONFIG, PinoLogger],
      useFactory: (config: WorkerConfig, log: PinoLogger) => PoolRepository.open(config, { log }),
    },
    {
      provide: MetadataRepository,
      // PoolRepository only for the order: a bad root must not create a database first.
      inject: [WORKER_CONFIG, PinoLogger, PoolRepository],
      useFactory: (config: WorkerConfig, log: PinoLogger) =>
        // Room for every concurrent op's transaction plus reads, heartbeats and cleanup.
        MetadataRepository.open(config.mysqlUrl, { poolSize: Math.max(16, config.concurrency + 8), log }),
    },
    {
      // The snapshotter is a library (containerd's semantics over btrfs + MySQL), not an
      // external system; it is provided here because it is made from the repositories.
      provide: Snapshotter,
      inject: [WORKER_CONFIG, PoolRepository, MetadataRepository, PinoLogger],
      useFactory: (config: WorkerConfig, pool: PoolRepository, metadata: MetadataRepository, log: PinoLogger) =>
        Snapshotter.open({
          hostId: config.hostId,
          root: config.root,
          btrfs: pool.backend,
          store: metadata.store,
          logger: log,
          version: packageVersion(),
          ...faultsOf(config, log),
        }),
    },
    {
      provide: LockRepository,
      inject: [WORKER_CONFIG, PinoLogger, MetadataRepository],
      useFactory: async (config: WorkerConfig, log: PinoLogger, metadata: MetadataRepository) => {
        const locks = await LockRepository.open({ hostId: config.hostId, redisUrl: config.redisUrl, ttlMs: config.lockTtlMs, log });
        if (!(await metadata.hasSnapshots(config.hostId))) await locks.settleNewHost();
        return locks;
      },
    },
  ],
  exports: [PoolRepository, MetadataRepository, Snapshotter, LockRepository],
})
export class RepositoryModule {}
