// Makes `@snapfleet/<lib>` resolvable inside dist/: dist/node_modules/@snapfleet/<lib> links
// to dist/libs/<lib>/src. Node finds it by walking up from any compiled file, so tsc's output
// runs as it is — no rewriting pass whose half-done state a concurrent run could observe.
import { existsSync, lstatSync, mkdirSync, readdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './lib/prereqs.mjs';

const scope = join(REPO, 'dist', 'node_modules', '@snapfleet');
mkdirSync(scope, { recursive: true });
for (const lib of readdirSync(join(REPO, 'libs'))) {
  const target = join(REPO, 'dist', 'libs', lib, 'src');
  if (!existsSync(target)) continue;
  const link = join(scope, lib);
  const rel = relative(scope, target);
  try {
    if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
  } catch {
    // not there yet
  }
  symlinkSync(rel, link, 'dir');
}
