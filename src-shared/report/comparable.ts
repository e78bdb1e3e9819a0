import type { RunConfig } from '../config/run.js';
import { DROP_GROW_METHODS, type MethodName } from '../names.js';
import { BOOKKEEPING_FIELDS, differingFields, flattenConfig } from './config-diff.js';

/** Fields that never tell comparable runs apart: the seed is averaged over, the rest is bookkeeping. */
export const NOT_COMPARED: readonly string[] = ['seed', ...BOOKKEEPING_FIELDS];

/** The same for runs that differ only in seed or bookkeeping (they share a plan and a figure point). */
export function comparableKey(config: RunConfig): string {
  const rest: Record<string, unknown> = { ...config };
  for (const field of NOT_COMPARED) delete rest[field];
  return JSON.stringify(rest);
}

const SPARSE_ONLY = ['sparsity', 'distribution', 'denseFirstLayer', 'layerSparsity'];

/**
 * Whether a method reads a config field. A method's config keeps the recipe's values for the
 * fields it does not read (canonicalRunConfig), so those must not make runs look different.
 */
export function fieldApplies(path: string, method: MethodName): boolean {
  const top = path.split('.')[0] ?? path;
  if (top === 'maskUpdate') return DROP_GROW_METHODS.includes(method);
  if (top === 'pruning') return method === 'pruning';
  if (SPARSE_ONLY.includes(top)) return method !== 'dense';
  return true;
}

/** The fields that vary across configs among the runs that read them; by default ignoring seeds and bookkeeping. */
export function varyingFields(configs: readonly RunConfig[], ignore: readonly string[] = NOT_COMPARED): string[] {
  const flat = configs.map((c) => ({ method: c.method, values: flattenConfig(c) }));
  return differingFields(configs, ignore).filter((path) => {
    let first: string | undefined;
    for (const { method, values } of flat) {
      if (!fieldApplies(path, method)) continue;
      const value = JSON.stringify(values[path]);
      if (first === undefined) first = value;
      else if (value !== first) return true;
    }
    return false;
  });
}
