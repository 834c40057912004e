// The API's wiring: configuration, the two repositories (MySQL, BullMQ/Redis), services,
// controllers, the problem+json filter and request logging.
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { ApiConfig } from './config/api-config';
import { HostController } from './controllers/host.controller';
import { JobController } from './controllers/job.controller';
import { SnapshotController } from './controllers/snapshot.controller';
import { Draining } from './http/draining';
import { loggerParams } from './http/logging';
import { ProblemFilter } from './http/problem.filter';
import { JobQueueRepository } from './repositories/job-queue.repository';
import { MetadataRepository } from './repositories/metadata.repository';
import { HostService } from './services/host.service';
import { JobWaiter } from './services/job-waiter.service';
import { JobService } from './services/job.service';
import { SnapshotService } from './services/snapshot.service';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [LoggerModule.forRoot(loggerParams(config.logLevel))],
      controllers: [SnapshotController, HostController, JobController],
      providers: [
        { provide: ApiConfig, useValue: config },
        // Both connect at start, concurrently; either failing stops the process (main.ts).
        { provide: MetadataRepository, useFactory: (c: ApiConfig) => MetadataRepository.connect(c.mysqlUrl), inject: [ApiConfig] },
        {
          provide: JobQueueRepository,
          useFactory: (c: ApiConfig, log: PinoLogger) => {
            log.setContext(JobQueueRepository.name);
            return JobQueueRepository.connect(c.redisUrl, log);
          },
          inject: [ApiConfig, PinoLogger],
        },
        Draining,
        JobWaiter,
        JobService,
        HostService,
        SnapshotService,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
