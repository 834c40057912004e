// What a snapshot looks like to every client: containerd's Info, Mount and Usage.
import { z } from 'zod';
import { KeySchema } from './identifiers';
import { LabelsSchema } from './labels';

export const KINDS = ['active', 'view', 'committed'] as const;
export const KindSchema = z.enum(KINDS).describe('containerd snapshots.Kind');
export type Kind = z.infer<typeof KindSchema>;

export const SnapshotInfoSchema = z
  .object({
    name: KeySchema,
    parent: KeySchema.optional(),
    kind: KindSchema,
    labels: LabelsSchema,
    created: z.string().describe('RFC 3339 time'),
    updated: z.string().describe('RFC 3339 time'),
  })
  .describe('containerd snapshots.Info');
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

export const MountSchema = z
  .object({
    type: z.string(),
    source: z.string(),
    target: z.string().optional(),
    options: z.array(z.string()),
  })
  .describe('containerd mount.Mount');
export type Mount = z.infer<typeof MountSchema>;

export const MountsResultSchema = z.object({
  mounts: z.array(MountSchema),
  /** The subvolume's path on its host, for clients that bind-mount there. */
  path: z.string(),
});
export type MountsResult = z.infer<typeof MountsResultSchema>;

export const UsageSchema = z
  .object({
    size: z.number().int().nonnegative().describe('bytes used by the snapshot itself, not its parents'),
    inodes: z.number().int().nonnegative(),
  })
  .describe('containerd snapshots.Usage');
export type Usage = z.infer<typeof UsageSchema>;
