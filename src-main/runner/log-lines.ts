import { count, duration, percent } from '../../src-shared/report/format.js';
import type { EpochMetrics } from '../engine/observer.js';
import type { MaskChange, MaskUpdateEvent } from '../engine/sparse/controller.js';

/** Layers named in a mask-update line: a ResNet has dozens, so the rest are counted, not listed. */
const NAMED_LAYERS = 3;

/** The share of a layer's weights an update dropped (the mask-update chart's y). */
const share = (l: Pick<MaskChange, 'dropped' | 'active'>): number => (l.active > 0 ? l.dropped / l.active : 0);

/**
 * Larger share first, as the line shows it (to 0.1%): layers a cosine schedule drops alike differ
 * there only by rounding, and then the one with more weights changed comes first.
 */
function byShownShareThenSize(a: MaskChange, b: MaskChange): number {
  const shown = (l: MaskChange): number => Math.round(share(l) * 1000);
  return shown(b) - shown(a) || b.dropped + b.grown - (a.dropped + a.grown);
}

/** The run log's line for an epoch: what a user checks first (test accuracy), then loss and time. */
export function epochLine(m: EpochMetrics, epochs: number): string {
  const val = m.valAccuracy === null ? '' : `, validation accuracy ${percent(m.valAccuracy)}`;
  return (
    `epoch ${m.epoch} of ${epochs} (step ${count(m.step)}): test accuracy ${percent(m.testAccuracy)}, test loss ${m.testLoss.toFixed(4)}${val}; ` +
    `train accuracy ${percent(m.trainAccuracy)}, train loss ${m.trainLoss.toFixed(4)}; ${duration(m.seconds)}`
  );
}

/** The run log's line for a mask update or pruning event: totals, then the layers that changed most. */
export function maskUpdateLine(event: MaskUpdateEvent): string {
  const prune = event.kind === 'prune';
  const head = `${prune ? 'pruning' : 'mask update'} at step ${count(event.step)}`;
  const changed = event.layers.filter((l) => l.dropped + l.grown > 0).sort(byShownShareThenSize);
  if (changed.length === 0) return `${head}: no weight changed`;
  const total = (key: 'active' | 'dropped' | 'grown'): number => event.layers.reduce((a, l) => a + l[key], 0);
  const all = { active: total('active'), dropped: total('dropped'), grown: total('grown') };
  const totals = prune
    ? `pruned ${count(all.dropped)} weights, ${count(all.active)} remain`
    : `dropped ${count(all.dropped)} and grew ${count(all.grown)} of ${count(all.active)} active weights (${percent(share(all), 1)})`;
  const layer = (l: MaskChange): string =>
    prune ? `${l.layer} −${count(l.dropped)}` : `${l.layer} −${count(l.dropped)} +${count(l.grown)} (${percent(share(l), 1)})`;
  const rest = changed.length > NAMED_LAYERS ? `, ${changed.length - NAMED_LAYERS} more` : '';
  return `${head}: ${totals}; most in ${changed.slice(0, NAMED_LAYERS).map(layer).join(', ')}${rest}`;
}
