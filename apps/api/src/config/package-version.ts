// snapfleet's version, for the OpenAPI document and the start-up line. Read from the
// repository's package.json by walking up from this file (src/ in tests, dist/ in production).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageVersion(from: string = __dirname): string {
  for (let dir = from, i = 0; i < 8; dir = dirname(dir), i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'snapfleet' && pkg.version) return pkg.version;
    } catch {
      // not here: keep walking up
    }
  }
  return 'dev';
}
