// Answers a terminus health check the way probes and people expect: terminus' JSON result
// with 200, or the same JSON with 503 when a check is down or the process is shutting down.
// Not problem+json on purpose: health endpoints are read by kubelets, load balancers and
// compose healthchecks, which know terminus' shape (status, info, error, details).
import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

export async function sendHealth(reply: FastifyReply, check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
  try {
    const result = await check;
    void reply.code(200).header('cache-control', 'no-store').send(result);
    return result;
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    const result = err.getResponse() as HealthCheckResult;
    void reply.code(503).header('cache-control', 'no-store').send(result);
    return result;
  }
}
