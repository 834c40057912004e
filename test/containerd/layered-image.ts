// The test image: Debian's static busybox, then layers that add, overwrite and delete files
// (whiteouts and an opaque directory), and the output `ctr run` must print for its top layer.
import { opaque, put, whiteout, busyboxLayer, type LayerWriter } from './oci-image';

export const LAYERS: LayerWriter[] = [
  busyboxLayer,
  async (d) => {
    await put(d, 'data/a.txt', 'a1\n');
    await put(d, 'data/b.txt', 'b1\n');
    await put(d, 'data/sub/c.txt', 'c1\n');
    await put(d, 'etc/keep', 'keep\n');
    await put(d, 'gone/x', 'x\n');
  },
  async (d) => {
    await put(d, 'data/a.txt', 'a2\n'); // overwrite
    await put(d, 'data/d.txt', 'd1\n'); // add
    await whiteout(d, 'data/b.txt'); // delete a file
    await whiteout(d, 'gone'); // delete a directory
  },
  async (d) => {
    await opaque(d, 'data/sub'); // hide everything below
    await put(d, 'data/sub/new.txt', 'new\n');
  },
  async (d) => {
    await put(d, 'gone/y', 'y\n'); // a directory deleted below, made again
    await put(d, 'top.txt', 'top\n');
  },
];

/** Prints the files the top layer shows, then tries the ones it must not show. */
export const RUN_SCRIPT = [
  'cat /data/a.txt /data/d.txt /data/sub/new.txt /gone/y /etc/keep /top.txt',
  'ls -a /data /data/sub /gone',
  'for f in /data/b.txt /data/sub/c.txt /gone/x; do test -e $f && echo "present: $f" || echo "absent: $f"; done',
].join('; ');

export const EXPECTED_OUTPUT = [
  'a2',
  'd1',
  'new',
  'y',
  'keep',
  'top',
  '/data:',
  '.',
  '..',
  'a.txt',
  'd.txt',
  'sub',
  '',
  '/data/sub:',
  '.',
  '..',
  'new.txt',
  '',
  '/gone:',
  '.',
  '..',
  'y',
  'absent: /data/b.txt',
  'absent: /data/sub/c.txt',
  'absent: /gone/x',
  '',
].join('\n');
