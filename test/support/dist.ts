// Tests that start real processes run the compiled apps under dist/ (npm test compiles them
// first); this finds them and says what to do when they are missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..');

export function distEntry(relative: string): string {
  const path = join(REPO_ROOT, 'dist', relative);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build:ts\` (npm test does it first)`);
  return path;
}
