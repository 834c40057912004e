// Loads snapfleet's containerd snapshots .proto (proto/ at the repository root) with
// @grpc/proto-loader at start, so the wire schema is the .proto file itself, not generated
// code that could drift from it. google/protobuf imports come from protobufjs's bundled copies.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const SNAPSHOTS_PROTO = 'containerd/services/snapshots/v1/snapshots.proto';
export const SNAPSHOTS_SERVICE = 'containerd.services.snapshots.v1.Snapshots';

/**
 * How messages look in JS on both sides of our code: field names as in the .proto, int64 as
 * numbers (usage sizes stay far below 2^53), enums as their names, absent fields filled with
 * their proto3 defaults so handlers never see `undefined` for a string or a map.
 */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** proto/ at the repository root, found from this file both in the sources and under dist/. */
export function findProtoDir(start = __dirname): string {
  for (let dir = start; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, SNAPSHOTS_PROTO))) return candidate;
  }
  throw new Error(`cannot find proto/${SNAPSHOTS_PROTO} in any directory above ${start}`);
}

export function loadSnapshotsPackage(protoDir = findProtoDir()): protoLoader.PackageDefinition {
  try {
    return protoLoader.loadSync(join(protoDir, SNAPSHOTS_PROTO), { ...LOADER_OPTIONS, includeDirs: [protoDir] });
  } catch (err) {
    throw new Error(`loading ${join(protoDir, SNAPSHOTS_PROTO)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The Snapshots service definition, for grpc.Server#addService. */
export function snapshotsService(def = loadSnapshotsPackage()): grpc.ServiceDefinition {
  const service = def[SNAPSHOTS_SERVICE];
  if (!service || !('Prepare' in service)) throw new Error(`${SNAPSHOTS_SERVICE} is not a service of ${SNAPSHOTS_PROTO}`);
  return service as grpc.ServiceDefinition;
}

/** A client constructor of the Snapshots service (tests, benchmarks). */
export function snapshotsClientConstructor(def = loadSnapshotsPackage()): grpc.ServiceClientConstructor {
  return grpc.makeClientConstructor(snapshotsService(def), 'Snapshots');
}
