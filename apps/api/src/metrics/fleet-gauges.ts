// Fleet state as Prometheus gauges, read when Prometheus scrapes (never on the request path):
// hosts up/down, draining, workers and pool size/free from the hosts table, and each known
// host queue's job counts by state from Redis. One scrape reads the hosts table once and
// every queue in parallel, each bounded in time; a queue that does not answer is left out of
// that scrape (and counted), rather than stalling the whole scrape.
import { Inject, Injectable } from '@nestjs/common';
import type { HostView } from '@snapfleet/contracts';
import { PinoLogger } from 'nestjs-pino';
import { Counter, Gauge } from 'prom-client';
import { JobQueueRepository } from '../repositories/job-queue.repository';
import { HostService } from '../services/host.service';
import { ApiMetrics } from './api-metrics';

/** Longest one queue's job counts may take within a scrape. */
export const QUEUE_COUNT_TIMEOUT_MS = 2_000;
/** Gauges of one scrape share one read of the hosts table (they are collected concurrently). */
const SNAPSHOT_TTL_MS = 1_000;

@Injectable()
export class FleetGauges {
  private hostsRead: { at: number; hosts: Promise<HostView[]> } | undefined;
  private readonly scrapeErrors: Counter<'source'>;

  constructor(
    @Inject(ApiMetrics) metrics: ApiMetrics,
    @Inject(HostService) private readonly hostService: HostService,
    @Inject(JobQueueRepository) private readonly queues: JobQueueRepository,
    @Inject(PinoLogger) private readonly log: PinoLogger,
  ) {
    log.setContext(FleetGauges.name);
    const registers = [metrics.registry];
    this.scrapeErrors = new Counter({
      name: 'snapfleet_api_scrape_errors_total',
      help: 'Scrapes that could not read a source (hosts table, or one host queue) in time',
      labelNames: ['source'] as const,
      registers,
    });
    const perHost = (name: string, help: string, value: (h: HostView) => number) => {
      const gauge: Gauge<'host'> = new Gauge({
        name,
        help,
        labelNames: ['host'] as const,
        registers,
        collect: async () => {
          const hosts = await this.hosts();
          gauge.reset();
          for (const h of hosts) gauge.set({ host: h.id }, value(h));
        },
      });
    };
    perHost('snapfleet_host_up', '1 while the host heartbeats within SNAPFLEET_HOST_TIMEOUT_MS, else 0', (h) => (h.status === 'up' ? 1 : 0));
    perHost('snapfleet_host_draining', '1 while the host\'s last worker is draining', (h) => (h.draining ? 1 : 0));
    perHost('snapfleet_host_workers', 'Worker processes consuming the host queue (from the heartbeat)', (h) => h.workers);
    perHost('snapfleet_host_pool_size_bytes', 'Size of the host\'s btrfs pool (from the heartbeat)', (h) => h.sizeBytes);
    perHost('snapfleet_host_pool_free_bytes', 'Free bytes of the host\'s btrfs pool (from the heartbeat)', (h) => h.freeBytes);
    const queueJobs: Gauge<'host' | 'state'> = new Gauge({
      name: 'snapfleet_queue_jobs',
      help: 'Jobs of each known host queue by BullMQ state',
      labelNames: ['host', 'state'] as const,
      registers,
      collect: async () => {
        const counts = await this.queueCounts();
        queueJobs.reset();
        for (const [host, byState] of counts) for (const [state, n] of Object.entries(byState)) queueJobs.set({ host, state }, n);
      },
    });
  }

  /** The hosts table, read at most once per scrape; an unreadable table yields no host series. */
  private hosts(): Promise<HostView[]> {
    const now = Date.now();
    if (!this.hostsRead || now - this.hostsRead.at > SNAPSHOT_TTL_MS) {
      const hosts = this.hostService.list().catch((err: unknown) => {
        this.failed('hosts', err);
        return [] as HostView[];
      });
      this.hostsRead = { at: now, hosts };
    }
    return this.hostsRead.hosts;
  }

  private async queueCounts(): Promise<Map<string, Record<string, number>>> {
    const hosts = await this.hosts();
    const counted = await Promise.all(
      hosts.map(async (h) => {
        try {
          return [h.id, await this.queues.jobCounts(h.id, QUEUE_COUNT_TIMEOUT_MS)] as const;
        } catch (err) {
          this.failed('queue', err, h.id);
          return undefined;
        }
      }),
    );
    return new Map(counted.filter((c) => c !== undefined));
  }

  private failed(source: 'hosts' | 'queue', err: unknown, host?: string): void {
    this.scrapeErrors.inc({ source });
    this.log.warn({ source, host, err: err instanceof Error ? err.message : String(err) }, 'metrics scrape could not read a source');
  }
}
