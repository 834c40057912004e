// The API's Prometheus metrics: one registry per process (never prom-client's global one, so
// two apps in one test process do not collide), Node's default process metrics, and the
// metrics the API measures itself. Gauges read from MySQL and Redis on scrape live in
// fleet-gauges.ts.
import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds. Reads take about a millisecond; mutations wait for their job up to ?wait= (≤ 300 s). */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds from enqueue to the answer: tens of milliseconds normally, up to ?wait=. */
const JOB_WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** How a job route's wait ended: the job's outcome, or still pending when the API answered 202. */
export type JobWaitOutcome = 'completed' | 'failed' | 'pending';

@Injectable()
export class ApiMetrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'snapfleet_api_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, from arrival to the last byte sent',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  readonly jobWait = new Histogram({
    name: 'snapfleet_api_job_wait_seconds',
    help: 'Time from enqueueing a job to having its answer (result, typed error, or 202 when the wait ran out)',
    labelNames: ['op', 'host', 'outcome'] as const,
    buckets: JOB_WAIT_BUCKETS,
    registers: [this.registry],
  });

  readonly walkCache = new Counter({
    name: 'snapfleet_api_walk_cache_total',
    help: 'Walk pages by how they were served: hit (kept page, host event stream unmoved), miss (read from MySQL and kept), shared (joined a read of the same page in flight), bypass (stream position unknown or empty: read uncached)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly statCache = new Counter({
    name: 'snapfleet_api_stat_cache_total',
    help: 'Stats by how they were served, as for walk pages: hit, miss, shared, bypass',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeJobWait(op: string, host: string, outcome: JobWaitOutcome, seconds: number): void {
    this.jobWait.observe({ op, host, outcome }, seconds);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
