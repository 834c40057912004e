// Conformance suite against the in-process snapshotter with the btrfs-progs fallback backend.
import { inProcessTarget } from './inprocess';
import { describeConformance } from './suite';

describeConformance('in-process, btrfs-progs backend', inProcessTarget('progs'));
