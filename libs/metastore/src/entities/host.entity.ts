// A host: one machine with one btrfs pool, registered by its worker.
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'hosts' })
export class HostEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id!: string;

  @Column({ type: 'varchar', length: 1024 })
  root!: string;

  @Column({ type: 'varchar', length: 1024 })
  device!: string;

  @Column({ type: 'char', length: 36 })
  fsid!: string;

  @Column({ type: 'varchar', length: 64 })
  version!: string;

  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt!: Date;
}
