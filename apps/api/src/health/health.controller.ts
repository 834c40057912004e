// /healthz: the process is up and serving HTTP (liveness: restart me if this fails).
// /readyz: MySQL and Redis answer in time, and the API is not shutting down (readiness: send
// me traffic). A change of readiness is logged once, not on every probe.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { DependencyHealth } from './dependency-health';
import { sendHealth } from './health-reply';

@Controller()
export class HealthController {
  private ready: boolean | undefined;

  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(DependencyHealth) private readonly dependencies: DependencyHealth,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(HealthController.name);
  }

  @Get(OPERATIONAL_PATHS.live)
  async live(@Res() reply: FastifyReply): Promise<void> {
    await sendHealth(reply, this.health.check([]));
  }

  @Get(OPERATIONAL_PATHS.ready)
  async readiness(@Res() reply: FastifyReply): Promise<void> {
    const result = await sendHealth(reply, this.health.check(this.dependencies.checks()));
    const ready = result.status === 'ok';
    if (ready === this.ready) return;
    if (ready) this.log.info('ready: MySQL and Redis answer');
    else this.log.warn({ status: result.status, error: result.error }, 'not ready');
    this.ready = ready;
  }
}
