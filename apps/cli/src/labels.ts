// `k=v` arguments, containerd style (`ctr snapshots label KEY k=v k2=`): split at the first
// `=`, so values may contain `=`; an empty value removes the label. Malformed words are usage
// errors; the label limits themselves are the API's to check (invalid_argument).
import { UsageError } from './usage-error';

export interface LabelUpdate {
  labels: Record<string, string>;
  /** containerd field paths `labels.<k>`: only these labels change. */
  fieldpaths: string[];
}

export function parseLabel(word: string, command: string): [string, string] {
  const eq = word.indexOf('=');
  if (eq <= 0) throw new UsageError(`label ${JSON.stringify(word)} is not k=v`, command);
  return [word.slice(0, eq), word.slice(eq + 1)];
}

/** `--label k=v` options of prepare/view/commit; a later k wins. */
export function parseLabels(words: readonly string[] | undefined, command: string): Record<string, string> | undefined {
  if (!words || words.length === 0) return undefined;
  return Object.fromEntries(words.map((w) => parseLabel(w, command)));
}

/**
 * The PATCH body of `label KEY k=v… k=`: a field path per named label; removed labels are
 * named by their field path and left out of `labels`, which is how containerd deletes one.
 */
export function labelUpdate(words: readonly string[], command: string): LabelUpdate {
  const labels: Record<string, string> = {};
  const fieldpaths = new Set<string>();
  for (const w of words) {
    const [k, v] = parseLabel(w, command);
    fieldpaths.add(`labels.${k}`);
    if (v === '') delete labels[k];
    else labels[k] = v;
  }
  return { labels, fieldpaths: [...fieldpaths] };
}
