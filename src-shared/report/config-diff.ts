import type { RunConfig } from '../config/run.js';

/** Nested config as dotted paths ("optimizer.lr" -> 0.1), the way the form and errors name fields. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flattenConfig(inner, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

/** Fields that say how a run is recorded, not what it trains: never a reason to tell runs apart. */
export const BOOKKEEPING_FIELDS = ['backend', 'logEvery', 'checkpointEvery', 'keepCheckpoints'] as const;

/** The dotted paths whose values are not the same in every config, in config order. */
export function differingFields(configs: readonly RunConfig[], ignore: readonly string[] = []): string[] {
  const flat = configs.map((c) => flattenConfig(c));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) {
    for (const path of Object.keys(f)) {
      if (!seen.has(path)) {
        seen.add(path);
        paths.push(path);
      }
    }
  }
  return paths.filter((path) => {
    if (ignore.some((i) => path === i || path.startsWith(`${i}.`))) return false;
    const first = JSON.stringify(flat[0]?.[path]);
    return flat.some((f) => JSON.stringify(f[path]) !== first);
  });
}

export function fieldValue(config: RunConfig, path: string): unknown {
  return flattenConfig(config)[path];
}

export function showValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') return String(Number(value.toPrecision(6)));
  return typeof value === 'string' ? value : JSON.stringify(value);
}
