// .dockerignore patterns (Go filepath.Match plus `**`, as BuildKit reads them), enough to ask
// whether a repository path is left out of the build context.

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern that names a directory excludes everything under it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

export function parseDockerignore(text: string): { exclude: boolean; re: RegExp; pattern: string }[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const exclude = !l.startsWith('!');
      const pattern = (exclude ? l : l.slice(1)).replace(/^\/+/, '').replace(/\/+$/, '');
      return { exclude, re: toRegExp(pattern), pattern };
    });
}

/** Last matching pattern wins, as in Docker. */
export function isIgnored(rules: ReturnType<typeof parseDockerignore>, path: string): boolean {
  let ignored = false;
  for (const r of rules) if (r.re.test(path)) ignored = r.exclude;
  return ignored;
}
