// Tests that start real processes run the compiled apps under dist/ (npm test compiles them
// first); this finds them and says what to do when they are missing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest ancestor with package.json (from source or from dist/). */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps'))) return dir;
  }
  throw new Error(`no repository root above ${__dirname}`);
})();

export function distEntry(relative: string): string {
  const path = join(REPO_ROOT, 'dist', relative);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:ts\` (npm test does it first)`);
  return path;
}
