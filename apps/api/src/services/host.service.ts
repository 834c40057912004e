// Hosts as the API shows them (health from heartbeat age), and the gate every job passes:
// a job for a host that is unknown or down is refused with 503 rather than left waiting.
import { Inject, Injectable } from '@nestjs/common';
import { notFound, unavailable, type HostView, type SnapfleetError } from '@snapfleet/contracts';
import type { HostRecord } from '@snapfleet/metastore';
import { ApiConfig } from '../config/api-config';
import type { NamespaceCounts } from '../http/pending-routes';
import { MetadataRepository } from '../repositories/metadata.repository';

/** How long a host seen up is not asked about again (see whyDown). */
const UP_CACHE_MS = 1000;

@Injectable()
export class HostService {
  private readonly upSince = new Map<string, number>();

  constructor(
    @Inject(MetadataRepository) private readonly metadata: MetadataRepository,
    @Inject(ApiConfig) private readonly config: ApiConfig,
  ) {}

  async list(): Promise<HostView[]> {
    const now = Date.now();
    return (await this.metadata.listHosts()).map((h) => this.toView(h, now));
  }

  async get(id: string): Promise<HostView> {
    const h = await this.metadata.getHost(id);
    if (!h) throw notFound(`host ${id} is not registered`, { host: id });
    return this.toView(h, Date.now());
  }

  /** Snapshot counts per namespace on a registered host (404 for a host never registered). */
  async namespaces(id: string): Promise<NamespaceCounts> {
    const [host, namespaces] = await Promise.all([this.metadata.getHost(id), this.metadata.namespaceCounts(id)]);
    if (!host) throw notFound(`host ${id} is not registered`, { host: id });
    return { namespaces };
  }

  /**
   * Why the host cannot run jobs now (unknown, or no recent heartbeat), or undefined when it
   * can. A host seen up is trusted for UP_CACHE_MS: every mutation asks, heartbeats come
   * every few seconds, and the heartbeat timeout is far longer than the cache.
   */
  async whyDown(id: string): Promise<SnapfleetError | undefined> {
    const cached = this.upSince.get(id);
    if (cached !== undefined && Date.now() - cached < UP_CACHE_MS) return undefined;
    const why = await this.checkDown(id);
    if (why === undefined) this.upSince.set(id, Date.now());
    else this.upSince.delete(id);
    return why;
  }

  private async checkDown(id: string): Promise<SnapfleetError | undefined> {
    const h = await this.metadata.getHost(id);
    if (!h) return unavailable(`host ${id} is not registered`, { host: id });
    if (h.heartbeatAt === null) return unavailable(`host ${id} is down: it never sent a heartbeat`, { host: id });
    const age = Date.now() - h.heartbeatAt.getTime();
    if (age <= this.config.hostTimeoutMs) return undefined;
    return unavailable(`host ${id} is down: last heartbeat ${Math.round(age / 1000)} s ago`, {
      host: id,
      heartbeatAt: h.heartbeatAt.toISOString(),
    });
  }

  private toView(h: HostRecord, now: number): HostView {
    const up = h.heartbeatAt !== null && now - h.heartbeatAt.getTime() <= this.config.hostTimeoutMs;
    return {
      id: h.id,
      status: up ? 'up' : 'down',
      draining: h.draining,
      root: h.root,
      device: h.device,
      fsid: h.fsid,
      sizeBytes: h.sizeBytes,
      freeBytes: h.freeBytes,
      workers: h.workers,
      version: h.version,
      heartbeatAt: h.heartbeatAt?.toISOString() ?? null,
      registeredAt: h.registeredAt.toISOString(),
    };
  }
}
