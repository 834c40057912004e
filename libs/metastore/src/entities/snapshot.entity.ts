// A snapshot row: containerd's storage record, one per (host, namespace, key). Its id names
// the subvolume directory on the host (active/<id>, view/<id>, snapshots/<id>). Rows are
// clustered by (host, namespace, id), the order a walk reads them in; the id alone stays unique.
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Kind } from '@snapfleet/contracts';

@Entity({ name: 'snapshots' })
export class SnapshotEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id!: number;

  @PrimaryColumn({ name: 'host_id', type: 'varchar', length: 63 })
  hostId!: string;

  @PrimaryColumn({ type: 'varchar', length: 76 })
  namespace!: string;

  @Column({ name: 'key_hash', type: 'binary', length: 32 })
  keyHash!: Buffer;

  @Column({ name: 'skey', type: 'varbinary', length: 4096 })
  key!: Buffer;

  @Column({ type: 'enum', enum: ['active', 'view', 'committed'] })
  kind!: Kind;

  @Column({ name: 'parent_id', type: 'bigint', unsigned: true, nullable: true })
  parentId!: number | null;

  @Column({ name: 'parent_kind', type: 'enum', enum: ['active', 'view', 'committed'], nullable: true })
  parentKind!: Kind | null;

  /** The parent's key, copied at create: a committed snapshot's key never changes. */
  @Column({ name: 'parent_key', type: 'varbinary', length: 4096, nullable: true })
  parentKey!: Buffer | null;

  @Column({ type: 'longtext' })
  labels!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 6 })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'datetime', precision: 6 })
  updatedAt!: Date;

  @Column({ name: 'subvolume_id', type: 'bigint', unsigned: true, nullable: true })
  subvolumeId!: number | null;

  @Column({ name: 'size_bytes', type: 'bigint', unsigned: true, nullable: true })
  sizeBytes!: number | null;

  @Column({ type: 'bigint', unsigned: true, nullable: true })
  inodes!: number | null;

  @Column({ name: 'op_id', type: 'varchar', length: 255, nullable: true })
  opId!: string | null;
}
