// Builds an OCI image tarball offline, as `ctr images import` reads it: each layer is a
// directory tree written by a callback (whiteouts are plain files named `.wh.<name>`, an
// opaque directory holds `.wh..wh..opq`), tarred with the system tar, hashed with node's
// crypto; then the layout (oci-layout, index.json, blobs/sha256/…) with the manifest and a
// config whose rootfs.diff_ids list the layers. Layers are uncompressed tars, so the
// layer digest is also its diff id.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runOk } from './run';

export type LayerWriter = (dir: string) => Promise<void>;

export interface OciImage {
  /** The image tarball for `ctr images import`. */
  tar: string;
  /** Image name (the index's org.opencontainers.image.ref.name / io.containerd.image.name). */
  name: string;
  diffIds: string[];
  /** Total bytes of the layer tars. */
  layerBytes: number;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Writes `content` at `root/rel`, creating parent directories. */
export async function put(root: string, rel: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), content);
}

/** A whiteout: hides `rel` of the layers below. */
export const whiteout = (root: string, rel: string) => put(root, join(dirname(rel), `.wh.${rel.split('/').pop() ?? ''}`), '');

/** An opaque directory: hides everything the layers below have under `rel`. */
export const opaque = (root: string, rel: string) => put(root, join(rel, '.wh..wh..opq'), '');

/** Debian's static busybox as /bin/busybox plus the applets the tests call. */
export const busyboxLayer: LayerWriter = async (dir) => {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', join(dir, 'bin/busybox'));
  for (const applet of ['sh', 'cat', 'ls', 'test']) await symlink('busybox', join(dir, 'bin', applet));
};

export async function buildOciImage(o: { workDir: string; name: string; layers: readonly LayerWriter[] }): Promise<OciImage> {
  const work = await mkdtemp(join(o.workDir, 'oci-'));
  const layout = join(work, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const addBlob = async (file: string) => {
    const digest = await sha256File(file);
    const size = (await stat(file)).size;
    await copyFile(file, join(blobs, digest));
    return { digest: `sha256:${digest}`, size };
  };
  const addJson = async (name: string, value: unknown) => {
    const file = join(work, name);
    await writeFile(file, JSON.stringify(value));
    return addBlob(file);
  };

  const layers: Array<{ digest: string; size: number }> = [];
  for (const [i, write] of o.layers.entries()) {
    const dir = join(work, `layer-${i}`);
    await mkdir(dir);
    await write(dir);
    const tarFile = join(work, `layer-${i}.tar`);
    // Entries relative to the layer root (no "./" entry), owned by root, in a stable order.
    const entries = (await readdir(dir)).sort();
    await runOk('tar', ['-C', dir, '--numeric-owner', '--owner=0', '--group=0', '--sort=name', '-cf', tarFile, ...entries]);
    layers.push(await addBlob(tarFile));
    await rm(dir, { recursive: true, force: true });
  }
  const diffIds = layers.map((l) => l.digest);
  const config = await addJson('config.json', {
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map((_, i) => ({ created_by: `snapfleet test layer ${i}` })),
  });
  const manifest = await addJson('manifest.json', {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, ...config },
    layers: layers.map((l) => ({ mediaType: MEDIA.layer, ...l })),
  });
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: MEDIA.manifest,
          ...manifest,
          annotations: { 'org.opencontainers.image.ref.name': o.name, 'io.containerd.image.name': o.name },
        },
      ],
    }),
  );
  const tar = join(work, 'image.tar');
  await runOk('tar', ['-C', layout, '-cf', tar, 'oci-layout', 'index.json', 'blobs']);
  await rm(layout, { recursive: true, force: true });
  return { tar, name: o.name, diffIds, layerBytes: layers.reduce((n, l) => n + l.size, 0) };
}
