// Conformance suite against the in-process snapshotter with the native (ioctl) btrfs backend.
import { inProcessTarget } from './inprocess';
import { describeConformance } from './suite';

describeConformance('in-process, native btrfs backend', inProcessTarget('native'));
