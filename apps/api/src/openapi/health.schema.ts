// What /healthz and /readyz answer (API and worker): terminus' HealthCheckResult, as a zod
// schema for the OpenAPI document and the tests.
import { z } from 'zod';

const IndicatorSchema = z.looseObject({ status: z.enum(['up', 'down', 'degraded']) });

export const HealthResultSchema = z
  .object({
    status: z.enum(['ok', 'error', 'degraded', 'shutting_down']),
    info: z.record(z.string(), IndicatorSchema).optional().describe('checks that are up'),
    error: z.record(z.string(), IndicatorSchema).optional().describe('checks that are down, with a message'),
    details: z.record(z.string(), IndicatorSchema).describe('every check'),
  })
  .describe('@nestjs/terminus health check result');
