// The durable result of an op that took effect, keyed by its op id (the job id).
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'ops' })
export class OpRecordEntity {
  @PrimaryColumn({ name: 'host_id', type: 'varchar', length: 63 })
  hostId!: string;

  @PrimaryColumn({ name: 'op_id', type: 'varchar', length: 255 })
  opId!: string;

  @Column({ type: 'varchar', length: 16 })
  op!: string;

  /** The namespace the op ran in; null for host-wide ops. */
  @Column({ type: 'varchar', length: 76, nullable: true })
  namespace!: string | null;

  @Column({ type: 'longtext' })
  result!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
