// snapfleet's Snapshotter conformance suite: the behaviour of containerd 1.7's
// snapshots/testsuite (plus the error contract of its snapshots/storage), as vitest tests
// that run against any SnapshotterClient — in-process snapshotter, HTTP client, gRPC proxy.
//
//   describeConformance('in-process', { make: async () => ({ client, dispose }) });
//
// Needs root and real btrfs: tests mount the returned mounts with mount(8), as containerd does.
import { describe } from 'vitest';
import { registerErrorTests } from './error-cases';
import type { ConformanceTarget } from './harness';
import { registerLayerTests } from './layers';
import { registerMetadataTests } from './metadata';

export type { ConformanceTarget } from './harness';

/** Registers the whole suite under `describe(name)`; every test gets a fresh snapshotter. */
export function describeConformance(name: string, target: ConformanceTarget): void {
  describe(`snapshotter conformance: ${name}`, () => {
    describe('layers and files', () => registerLayerTests(target));
    describe('metadata', () => registerMetadataTests(target));
    describe('errors', () => registerErrorTests(target));
  });
}
