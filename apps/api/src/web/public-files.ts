// The pages' static files (apps/api/public/): read once at start into memory and served
// from there, with an ETag so a browser polling the page revalidates for free. The directory
// is found by walking up from this file, which sits at another depth under src/ (tests) and
// dist/ (production); an install must ship apps/api/public beside dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { entityTag } from '../http/entity-tag';

export interface PublicFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

/** Every file the API serves, and how: pages at their own paths, the rest under /assets/. */
export const PAGES = { fleet: 'fleet.html', docs: 'docs.html' } as const;
export const ASSETS = ['fleet.js', 'docs.js', 'style.css'] as const;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export function findPublicDir(from: string = __dirname): string | undefined {
  for (let dir = from, i = 0; i < 8; dir = dirname(dir), i++) {
    const candidate = join(dir, 'apps', 'api', 'public');
    if (existsSync(join(candidate, PAGES.fleet))) return candidate;
  }
  return undefined;
}

/** Loads every page and asset; throws naming the first one missing. */
export function loadPublicFiles(dir: string): Map<string, PublicFile> {
  const files = new Map<string, PublicFile>();
  for (const name of [...Object.values(PAGES), ...ASSETS]) {
    const body = readFileSync(join(dir, name));
    const ext = name.slice(name.lastIndexOf('.') + 1);
    files.set(name, { body, contentType: TYPES[ext] ?? 'application/octet-stream', etag: entityTag(body) });
  }
  return files;
}
