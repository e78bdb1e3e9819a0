import { shade, siblingSymbol } from '../charts/palette.js';
import { DISTRIBUTION_LABELS } from '../names.js';
import { NOT_COMPARED } from './comparable.js';
import type { RunGroup } from './groups.js';
import { labelFields, otherFields, type LabelFields } from './labels.js';
import { variantOf, type Variant } from './variants.js';

/** One line of a figure: the groups that share everything but the quantity the line runs along. */
export interface SeriesStyle {
  key: string;
  label: string;
  variant: Variant;
  color: string;
  lineType: 'solid' | 'dashed' | 'dotted';
  symbol: string;
}

const DISTRIBUTION_LINE = { erk: 'solid', uniform: 'dashed', er: 'dotted' } as const;
const DISTRIBUTION_SYMBOL = { erk: 'circle', uniform: 'rect', er: 'triangle' } as const;


/** Fields a series label never names: the variant already says them. */
const IN_VARIANT = ['widthMultiplier', 'maskUpdate.redistribution'];

/** The fields that tell the series of lines running `along` some fields apart (see labelFields). */
export function seriesFields(groups: readonly RunGroup[], along: readonly string[]): LabelFields {
  return labelFields(
    groups.map((g) => g.config),
    [...NOT_COMPARED, ...along, ...IN_VARIANT],
  );
}

/**
 * The series each group belongs to, when lines run `along` some fields (sparsity, the training
 * multiplier): the variant's colour always; line and marker by distribution when distributions
 * vary; lighter and darker tones of the colour for anything else that varies, and then, since
 * tones of one colour are hard to tell apart, a marker of its own for each series of a method.
 */
export function seriesOfGroups(groups: readonly RunGroup[], along: readonly string[]): Map<string, SeriesStyle> {
  const fields = seriesFields(groups, along);
  const byDistribution = new Set(groups.filter((g) => g.config.method !== 'dense').map((g) => g.config.distribution)).size > 1;
  const named = groups.map((g) => {
    const variant = variantOf(g.config);
    const parts = [variant.label];
    if (g.config.method !== 'dense' && byDistribution) parts.push(DISTRIBUTION_LABELS[g.config.distribution]);
    parts.push(...otherFields(g.config, fields));
    const family = `${variant.key}/${byDistribution && g.config.method !== 'dense' ? g.config.distribution : ''}`;
    return { group: g, variant, label: parts.join(' · '), family };
  });
  const families = new Map<string, string[]>();
  for (const n of named) {
    const labels = families.get(n.family) ?? [];
    if (!labels.includes(n.label)) labels.push(n.label);
    families.set(n.family, labels);
  }
  const ofMethod = new Map<string, string[]>();
  for (const n of named) {
    const labels = ofMethod.get(n.group.config.method) ?? [];
    if (!labels.includes(n.label)) labels.push(n.label);
    ofMethod.set(n.group.config.method, labels);
  }
  const out = new Map<string, SeriesStyle>();
  for (const n of named) {
    const siblings = families.get(n.family) ?? [n.label];
    const distribution = n.group.config.distribution;
    const sparse = n.group.config.method !== 'dense';
    out.set(n.group.key, {
      key: n.label,
      label: n.label,
      variant: n.variant,
      color: shade(n.variant.color, siblings.indexOf(n.label), siblings.length),
      lineType: byDistribution && sparse ? DISTRIBUTION_LINE[distribution] : 'solid',
      symbol: byDistribution && sparse ? DISTRIBUTION_SYMBOL[distribution] : siblingSymbol(ofMethod.get(n.group.config.method)!.indexOf(n.label)),
    });
  }
  return out;
}
