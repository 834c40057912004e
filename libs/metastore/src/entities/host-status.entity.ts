// A host's liveness and capacity, refreshed by its workers' heartbeats.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'host_status' })
export class HostStatusEntity {
  @PrimaryColumn({ name: 'host_id', type: 'varchar', length: 63 })
  hostId!: string;

  @Column({ name: 'heartbeat_at', type: 'datetime', precision: 3 })
  heartbeatAt!: Date;

  @Column({ name: 'size_bytes', type: 'bigint', unsigned: true, transformer: { to: (v: number) => v, from: Number } })
  sizeBytes!: number;

  @Column({ name: 'free_bytes', type: 'bigint', unsigned: true, transformer: { to: (v: number) => v, from: Number } })
  freeBytes!: number;

  @Column({ type: 'tinyint', transformer: { to: (v: boolean) => (v ? 1 : 0), from: (v: number) => v === 1 } })
  draining!: boolean;

  @Column({ type: 'int', unsigned: true })
  workers!: number;
}
