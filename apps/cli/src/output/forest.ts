// The snapshot forest of one namespace on one host, drawn like `ctr snapshots tree` but with
// ASCII connectors (`tree --charset=ascii`): each committed snapshot above its children.
import type { SnapshotInfo } from '@snapfleet/contracts';
import { printable } from './printable';

export interface TreeNode extends SnapshotInfo {
  children: TreeNode[];
}

/**
 * Roots are snapshots without a parent, or whose parent is not in `snapshots` (a filtered or
 * racing listing). Children are sorted by name so the drawing is stable.
 */
export function buildForest(snapshots: readonly SnapshotInfo[]): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  for (const s of snapshots) nodes.set(s.name, { ...s, children: [] });
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parent === undefined ? undefined : nodes.get(n.parent);
    // A self-parent would be corrupt metadata; treat it as a root rather than lose it.
    if (parent && parent !== n) parent.children.push(n);
    else roots.push(n);
  }
  const byName = (a: TreeNode, b: TreeNode) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const n of nodes.values()) n.children.sort(byName);
  return roots.sort(byName);
}

export function renderForest(roots: readonly TreeNode[]): string {
  const lines: string[] = [];
  const seen = new Set<TreeNode>();
  const walk = (n: TreeNode, lead: string, branch: string) => {
    if (seen.has(n)) return; // a parent cycle cannot come from the metastore; never loop on one
    seen.add(n);
    lines.push(`${lead}${branch}${printable(n.name)} (${n.kind})`);
    const childLead = lead + (branch === '' ? '' : branch === '|-- ' ? '|   ' : '    ');
    n.children.forEach((c, i) => walk(c, childLead, i === n.children.length - 1 ? '`-- ' : '|-- '));
  };
  for (const r of roots) walk(r, '', '');
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}
