// The API's wiring: configuration, the repositories (MySQL, BullMQ/Redis), services, the
// /v1 controllers, authentication, the operational surface (health, metrics, OpenAPI, pages, queue
// dashboard), the problem+json filter and request logging.
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { hostname } from 'node:os';
import { AuthService } from './auth/auth.service';
import { ApiConfig } from './config/api-config';
import { HostController } from './controllers/host.controller';
import { JobController } from './controllers/job.controller';
import { SnapshotController } from './controllers/snapshot.controller';
import { TokenController } from './controllers/token.controller';
import { QueueDashboard } from './dashboard/queue-dashboard';
import { DependencyHealth } from './health/dependency-health';
import { HealthController } from './health/health.controller';
import { Draining } from './http/draining';
import { loggerParams } from './http/logging';
import { ProblemFilter } from './http/problem.filter';
import { ApiMetrics } from './metrics/api-metrics';
import { FleetGauges } from './metrics/fleet-gauges';
import { MetricsController } from './metrics/metrics.controller';
import { DocsController } from './openapi/docs.controller';
import { DashboardQueuesRepository } from './repositories/dashboard-queues.repository';
import { JobQueueRepository } from './repositories/job-queue.repository';
import { MetadataRepository } from './repositories/metadata.repository';
import { TokenRevocationsRepository } from './repositories/token-revocations.repository';
import { HostService } from './services/host.service';
import { JobWaiter } from './services/job-waiter.service';
import { JobService } from './services/job.service';
import { OpGrouper } from './services/op-grouper.service';
import { SnapshotService } from './services/snapshot.service';
import { TokenService } from './services/token.service';
import { WebController } from './web/web.controller';

@Module({})
export class AppModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        // Terminus' own logger is off: HealthController logs readiness changes once each.
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [SnapshotController, HostController, JobController, TokenController, HealthController, MetricsController, DocsController, WebController],
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
        {
          provide: TokenRevocationsRepository,
          useFactory: (c: ApiConfig, auth: AuthService, log: PinoLogger) => {
            log.setContext(TokenRevocationsRepository.name);
            return TokenRevocationsRepository.connect(c.redisUrl, `${hostname()}-${process.pid}`, auth, log);
          },
          inject: [ApiConfig, AuthService, PinoLogger],
        },
        AuthService,
        TokenService,
        { provide: DashboardQueuesRepository, useFactory: (c: ApiConfig) => new DashboardQueuesRepository(c), inject: [ApiConfig] },
        Draining,
        ApiMetrics,
        FleetGauges,
        DependencyHealth,
        QueueDashboard,
        JobWaiter,
        OpGrouper,
        JobService,
        HostService,
        SnapshotService,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
