// A real image through the fleet: an OCI tarball built offline (busybox + layers with
// whiteouts) is imported by a private containerd into the snapfleet proxy snapshotter, and
// `ctr run` shows the top layer's files — as it does with containerd's btrfs snapshotter.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnapfleetClient } from '@snapfleet/client';
import { EXPECTED_OUTPUT, LAYERS, RUN_SCRIPT } from './layered-image';
import { buildOciImage, type OciImage } from './oci-image';
import { PROXY_PLUGIN, startStack, type Stack } from './stack';

let stack: Stack;
let image: OciImage;
let work: string;

beforeAll(async () => {
  stack = await startStack({ label: 'ctrimg', containerd: true });
  work = await mkdtemp(join(stack.containerd!.dir, 'img-'));
  image = await buildOciImage({ workDir: work, name: 'snapfleet.test/layered:1', layers: LAYERS });
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await stack?.dispose();
}, 120_000);

describe.each([PROXY_PLUGIN, 'btrfs'])('image import and run with --snapshotter %s', (snapshotter) => {
  const ns = `img-${snapshotter}`;

  it('imports the image, unpacking every layer', { timeout: 180_000 }, async () => {
    const ctd = stack.containerd!;
    const r = await ctd.ctrReady(ns, ['images', 'import', '--snapshotter', snapshotter, image.tar]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unpacking snapfleet\.test\/layered:1 \(sha256:[0-9a-f]{64}\)\.\.\.done/);
    if (snapshotter === PROXY_PLUGIN) {
      // One committed snapshot per layer in the fleet, named as containerd's metadata layer
      // names backend keys: <namespace>/<sequence>/<chain id>.
      const api = new SnapfleetClient({ baseUrl: stack.apiUrl });
      const committed: string[] = [];
      for await (const s of api.walkAll('default', stack.host.id, ['kind==committed'])) committed.push(s.name);
      expect(committed).toHaveLength(LAYERS.length);
      for (const name of committed) expect(name).toMatch(new RegExp(`^${ns}/\\d+/sha256:[0-9a-f]{64}$`));
    }
  });

  it('runs a container that sees the top layer', { timeout: 180_000 }, async () => {
    const ctd = stack.containerd!;
    const r = await ctd.ctr(ns, ['run', '--rm', ...ctd.runFlags, '--snapshotter', snapshotter, image.name, `run-${snapshotter}`, '/bin/sh', '-c', RUN_SCRIPT]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(EXPECTED_OUTPUT);
    expect(r.code).toBe(0);
  });
});
