// Label rules: containerd's size limit (key and value together ≤ 4096 bytes) plus a count
// cap of our own so one request cannot store an unbounded label map.
import { z } from 'zod';
import { isWellFormed, utf8Length } from './identifiers';

export const MAX_LABEL_BYTES = 4096;
export const MAX_LABELS = 256;
/** containerd passes only labels with this prefix to snapshotters and inherits them. */
export const INHERITED_LABEL_PREFIX = 'containerd.io/snapshot/';

export type Labels = Record<string, string>;

export const LabelsSchema = z
  .record(z.string(), z.string())
  .superRefine((labels, ctx) => {
    const entries = Object.entries(labels);
    if (entries.length > MAX_LABELS) {
      ctx.addIssue({ code: 'custom', message: `more than ${MAX_LABELS} labels` });
      return;
    }
    for (const [k, v] of entries) {
      if (k.length === 0) ctx.addIssue({ code: 'custom', message: 'label key must not be empty' });
      else if (k.includes('\0') || v.includes('\0'))
        ctx.addIssue({ code: 'custom', message: `label ${JSON.stringify(k.slice(0, 64))} contains NUL` });
      else if (!isWellFormed(k) || !isWellFormed(v))
        ctx.addIssue({ code: 'custom', message: 'label is not valid UTF-8' });
      else if (utf8Length(k) + utf8Length(v) > MAX_LABEL_BYTES)
        ctx.addIssue({
          code: 'custom',
          message: `label key and value greater than maximum size (${MAX_LABEL_BYTES} bytes), key: ${k.slice(0, 64)}`,
        });
    }
  })
  .describe(`Labels: key+value ≤ ${MAX_LABEL_BYTES} bytes each, at most ${MAX_LABELS}`);

export function filterInheritedLabels(labels: Labels | undefined): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (k.startsWith(INHERITED_LABEL_PREFIX)) out[k] = v;
  return out;
}
