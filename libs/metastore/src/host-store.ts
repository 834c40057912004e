// Host rows: registration by a worker, heartbeats, and the listing the API serves.
import type { DataSource } from 'typeorm';
import { HostEntity, HostStatusEntity } from './entities';

export interface HostRegistration {
  id: string;
  root: string;
  device: string;
  fsid: string;
  version: string;
}

export interface HostHeartbeat {
  sizeBytes: number;
  freeBytes: number;
  draining: boolean;
  workers: number;
}

export interface HostRecord extends HostRegistration {
  registeredAt: Date;
  heartbeatAt: Date | null;
  sizeBytes: number;
  freeBytes: number;
  draining: boolean;
  workers: number;
}

export class HostStore {
  constructor(private readonly ds: DataSource) {}

  /** Upserts the host row; a pool moved to another device or filesystem is re-registered. */
  async register(host: HostRegistration): Promise<void> {
    await this.ds.getRepository(HostEntity).upsert({ ...host, registeredAt: new Date() }, ['id']);
  }

  async heartbeat(hostId: string, status: HostHeartbeat): Promise<void> {
    await this.ds.getRepository(HostStatusEntity).upsert({ hostId, heartbeatAt: new Date(), ...status }, ['hostId']);
  }

  /** One host with its status, in one indexed query (hot path: every mutation checks it). */
  async get(hostId: string): Promise<HostRecord | undefined> {
    const rows = (await this.ds.query(
      `SELECT h.id, h.root, h.device, h.fsid, h.version, h.registered_at, s.heartbeat_at, s.size_bytes, s.free_bytes,
              s.draining, s.workers
         FROM hosts h LEFT JOIN host_status s ON s.host_id = h.id WHERE h.id = ?`,
      [hostId],
    )) as Array<Record<string, unknown>>;
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: String(r.id),
      root: String(r.root),
      device: String(r.device),
      fsid: String(r.fsid),
      version: String(r.version),
      registeredAt: r.registered_at as Date,
      heartbeatAt: (r.heartbeat_at as Date | null) ?? null,
      sizeBytes: Number(r.size_bytes ?? 0),
      freeBytes: Number(r.free_bytes ?? 0),
      draining: Number(r.draining ?? 0) === 1,
      workers: Number(r.workers ?? 0),
    };
  }

  async list(onlyId?: string): Promise<HostRecord[]> {
    const hosts = await this.ds.getRepository(HostEntity).find(onlyId === undefined ? { order: { id: 'ASC' } } : { where: { id: onlyId } });
    const statuses = await this.ds.getRepository(HostStatusEntity).find(onlyId === undefined ? {} : { where: { hostId: onlyId } });
    const byId = new Map(statuses.map((s) => [s.hostId, s]));
    return hosts.map((h) => {
      const s = byId.get(h.id);
      return {
        ...h,
        heartbeatAt: s?.heartbeatAt ?? null,
        sizeBytes: s?.sizeBytes ?? 0,
        freeBytes: s?.freeBytes ?? 0,
        draining: s?.draining ?? false,
        workers: s?.workers ?? 0,
      };
    });
  }
}
