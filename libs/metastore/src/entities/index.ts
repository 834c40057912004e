import { HostEntity } from './host.entity';
import { HostStatusEntity } from './host-status.entity';
import { OpRecordEntity } from './op-record.entity';
import { SnapshotEntity } from './snapshot.entity';

export { HostEntity, HostStatusEntity, OpRecordEntity, SnapshotEntity };
export const ENTITIES = [HostEntity, HostStatusEntity, SnapshotEntity, OpRecordEntity];
