// Our .proto (proto/) against containerd 1.6's reference files (../shared/proto/containerd):
// both loaded with @grpc/proto-loader, the Snapshots service must have the same methods,
// streaming, request and response types, and every message reachable from it the same
// fields (name, number, type, repeated-ness, map-ness) and enums the same values.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { describe, expect, it } from 'vitest';
import { SNAPSHOTS_SERVICE, findProtoDir, loadSnapshotsPackage } from '../../apps/containerd-proxy/src/proto';
import { REPO_ROOT } from '../support/dist';

const REFERENCE_DIR = join(REPO_ROOT, '..', 'shared', 'proto', 'containerd');
const REFERENCE_FILE = 'github.com/containerd/containerd/api/services/snapshots/v1/snapshots.proto';

interface FieldShape {
  name: string;
  number: number;
  type: string;
  typeName: string;
  label: string;
}

interface RawField {
  name: string;
  number: number;
  type: string;
  typeName?: string;
  label: string;
}

interface RawType {
  name?: string;
  field?: RawField[];
  value?: Array<{ name: string; number: number }>;
  options?: { mapEntry?: boolean } | null;
  nestedType?: RawType[];
}

type Service = Record<string, { path: string; requestStream: boolean; responseStream: boolean; requestType: { type: { name: string } }; responseType: { type: { name: string } } }>;

function loadReference(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(join(REFERENCE_DIR, REFERENCE_FILE), { keepCase: true, includeDirs: [REFERENCE_DIR] });
}

const PACKAGE = 'containerd.services.snapshots.v1';

/** The shape of every message and enum reachable from the service, keyed by full name. */
function shapes(def: protoLoader.PackageDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const typeOf = (fullName: string) => (def[fullName] as unknown as { format: string; type: RawType } | undefined);
  // proto-loader keeps type names as written in the .proto: relative to the package or full.
  const resolve = (name: string, nested: readonly RawType[]): string => {
    if (nested.some((n) => n.name === name)) return `nested:${name}`;
    // Protobuf scoping: innermost package first, then each enclosing one, then the root.
    const scopes = PACKAGE.split('.');
    for (let i = scopes.length; i >= 0; i--) {
      const candidate = [...scopes.slice(0, i), name].join('.');
      if (typeOf(candidate)) return candidate;
    }
    throw new Error(`cannot resolve type ${name}`);
  };
  const fieldsOf = (t: RawType): FieldShape[] =>
    (t.field ?? [])
      .map((f) => ({ name: f.name, number: f.number, type: f.type, typeName: f.typeName ? resolve(f.typeName, t.nestedType ?? []) : '', label: f.label }))
      .sort((a, b) => a.number - b.number);
  const visit = (fullName: string) => {
    if (fullName in out || fullName.startsWith('nested:')) return;
    const d = typeOf(fullName);
    if (!d) throw new Error(`type ${fullName} not in the package definition`);
    if (d.format.includes('EnumDescriptorProto')) {
      out[fullName] = { enum: (d.type.value ?? []).map((v) => ({ name: v.name, number: v.number })) };
      return;
    }
    const fields = fieldsOf(d.type);
    // Map fields are repeated nested "…Entry" messages with mapEntry set: compare those too.
    const nested = (d.type.nestedType ?? []).map((n) => ({ name: n.name, mapEntry: !!n.options?.mapEntry, fields: fieldsOf(n) }));
    out[fullName] = { fields, nested };
    for (const f of fields) if (f.typeName) visit(f.typeName);
  };
  const service = def[SNAPSHOTS_SERVICE] as unknown as Service;
  // A method names its types by short name only: find the one message of that name.
  const byShortName = (name: string) => {
    const found = Object.keys(def).filter((k) => k.split('.').pop() === name && typeOf(k)?.format.includes('DescriptorProto'));
    if (found.length !== 1) throw new Error(`message ${name}: ${found.length} candidates`);
    return found[0]!;
  };
  for (const m of Object.values(service)) for (const t of [m.requestType.type.name, m.responseType.type.name]) visit(byShortName(t));
  return out;
}

function methods(def: protoLoader.PackageDefinition) {
  const service = def[SNAPSHOTS_SERVICE] as unknown as Service;
  return Object.fromEntries(
    Object.entries(service).map(([name, m]) => [
      name,
      { path: m.path, requestStream: m.requestStream, responseStream: m.responseStream, request: m.requestType.type.name, response: m.responseType.type.name },
    ]),
  );
}

describe('proto/containerd matches containerd 1.6 on the wire', () => {
  it('finds the reference files beside the repository', () => {
    expect(existsSync(join(REFERENCE_DIR, REFERENCE_FILE)), `missing ${REFERENCE_DIR} (shared/ beside the repository)`).toBe(true);
  });

  it('has the same service methods, streaming and request/response types', () => {
    const ours = methods(loadSnapshotsPackage(findProtoDir()));
    const theirs = methods(loadReference());
    expect(Object.keys(ours).sort()).toEqual(['Cleanup', 'Commit', 'List', 'Mounts', 'Prepare', 'Remove', 'Stat', 'Update', 'Usage', 'View']);
    expect(ours).toEqual(theirs);
    expect(ours.List?.responseStream).toBe(true);
  });

  it('has the same messages and enums, field by field', () => {
    const ours = shapes(loadSnapshotsPackage(findProtoDir()));
    const theirs = shapes(loadReference());
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours).toEqual(theirs);
    // Spot checks that the walk saw what matters.
    expect(ours['containerd.services.snapshots.v1.Kind']).toEqual({
      enum: [
        { name: 'UNKNOWN', number: 0 },
        { name: 'VIEW', number: 1 },
        { name: 'ACTIVE', number: 2 },
        { name: 'COMMITTED', number: 3 },
      ],
    });
    expect(Object.keys(ours)).toEqual(expect.arrayContaining(['containerd.types.Mount', 'google.protobuf.Timestamp', 'google.protobuf.FieldMask']));
  });
});
