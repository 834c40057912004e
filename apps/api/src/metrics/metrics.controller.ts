// GET /metrics: Prometheus text exposition of the API's registry (process metrics, HTTP and
// job-wait histograms, and the fleet gauges read at this moment).
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OPERATIONAL_PATHS } from '../http/operational-paths';
import { ApiMetrics } from './api-metrics';

@Controller()
export class MetricsController {
  constructor(@Inject(ApiMetrics) private readonly metrics: ApiMetrics) {}

  @Get(OPERATIONAL_PATHS.metrics)
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await this.metrics.scrape();
    void reply.code(200).type(contentType).header('cache-control', 'no-store').send(body);
  }
}
