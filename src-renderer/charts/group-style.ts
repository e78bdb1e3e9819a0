import type { RunGroup } from '../analysis/groups.js';
import { METHOD_COLORS, shade } from './palette.js';

export interface SeriesStyle {
  color: string;
  lineType: 'solid' | 'dashed' | 'dotted';
  symbol: string;
}

const DISTRIBUTION_LINE = { erk: 'solid', uniform: 'dashed', er: 'dotted' } as const;
const DISTRIBUTION_SYMBOL = { erk: 'circle', uniform: 'rect', er: 'triangle' } as const;

/**
 * A look per figure series: the method's colour always; line and marker by distribution when
 * distributions vary; lighter and darker tones of the method colour for anything else that varies.
 */
export function seriesStyles(groups: readonly RunGroup[]): Map<string, SeriesStyle> {
  const distributions = new Set(groups.filter((g) => g.config.method !== 'dense').map((g) => g.config.distribution));
  const byDistribution = distributions.size > 1;
  const labels = new Map<string, RunGroup>();
  for (const g of groups) if (!labels.has(g.seriesLabel)) labels.set(g.seriesLabel, g);
  const siblings = new Map<string, string[]>();
  for (const [label, g] of labels) {
    const family = `${g.config.method}/${byDistribution ? g.config.distribution : ''}`;
    siblings.set(family, [...(siblings.get(family) ?? []), label]);
  }
  const styles = new Map<string, SeriesStyle>();
  for (const [label, g] of labels) {
    const family = siblings.get(`${g.config.method}/${byDistribution ? g.config.distribution : ''}`) ?? [label];
    styles.set(label, {
      color: shade(METHOD_COLORS[g.config.method], family.indexOf(label), family.length),
      lineType: byDistribution ? DISTRIBUTION_LINE[g.config.distribution] : 'solid',
      symbol: byDistribution ? DISTRIBUTION_SYMBOL[g.config.distribution] : 'circle',
    });
  }
  return styles;
}
