// docker/compose.yaml as data: parsed with the YAML subset, `${VAR:-default}` interpolated the
// way Compose does when VAR is unset, so values can be validated by the apps' own config code.
import { readFileSync } from 'node:fs';
import { parseYamlSubset } from './yaml-subset';

/** The fields the checks read; everything else stays as parsed YAML. */
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number | boolean>;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

export function loadCompose(path: string): { text: string; data: ComposeFile } {
  const text = readFileSync(path, 'utf8');
  return { text, data: parseYamlSubset(text) as unknown as ComposeFile };
}

/**
 * Compose interpolation with every variable unset: `${V:-d}` and `${V-d}` → d; `$$` → `$`.
 * Secrets have no default: `${V:?message}` makes compose refuse to start until V is set; here
 * it stands for a value of the right shape (`required-V-xxx…`), since the operator sets it.
 */
export function interpolateDefaults(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*)|(:?\?)[^}]*)?\}/g, (whole, name: string | undefined, dash: string | undefined, def: string | undefined, required: string | undefined) => {
    if (whole === '$$') return '$';
    if (required !== undefined) return `required-${name}-${'x'.repeat(24)}`;
    if (dash === undefined || def === undefined) throw new Error(`${whole} has no default: the compose file must work without a .env (secrets: \${V:?message})`);
    return def;
  });
}

/** A service's environment with defaults filled in, as the container would see it. */
export function serviceEnv(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolateDefaults(String(v))]));
}
