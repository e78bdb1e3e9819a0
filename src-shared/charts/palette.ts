import type { MethodName } from '../names.js';

/**
 * One colour per method in every chart and legend, so that RigL is the same red on the run page,
 * the compare dashboard and an exported SVG. Muted tones that stay apart for common colour
 * blindness (blue / orange / teal / purple differ in lightness as well as hue).
 */
export const METHOD_COLORS: Record<MethodName, string> = {
  dense: '#3d4654',
  static: '#4f7fbf',
  set: '#e09b3d',
  snfs: '#8c6bb8',
  rigl: '#c8453b',
  pruning: '#2f9c8f',
};

/** Colours by what a curve measures on a run's own charts: training, test, validation, schedule. */
export const ROLE_COLORS = {
  train: '#4f7fbf',
  test: '#c8453b',
  validation: '#2f9c8f',
  schedule: '#3d4654',
} as const;

/** Neutral colours for series that are not methods (layers, metrics). */
export const SERIES_COLORS = ['#4f7fbf', '#c8453b', '#2f9c8f', '#e09b3d', '#8c6bb8', '#3d4654', '#8aa34a', '#c26f9c', '#5a9fd4', '#b5884e'];

export const AXIS_COLOR = '#6b7280';
export const GRID_LINE_COLOR = '#e5e7eb';
export const AXIS_LINE_COLOR = '#c7cdd4';
export const TEXT_COLOR = '#1f2937';

/** A lighter or darker variant of a method colour for the k-th of n runs of that method. */
export function shade(hex: string, k: number, n: number): string {
  if (n <= 1) return hex;
  const t = (k / (n - 1) - 0.5) * 0.5; // -0.25 … +0.25
  const channel = (i: number): number => {
    const v = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16);
    const mixed = t >= 0 ? v + (255 - v) * t : v * (1 + t);
    return Math.round(Math.min(255, Math.max(0, mixed)));
  };
  return `#${[0, 1, 2].map((i) => channel(i).toString(16).padStart(2, '0')).join('')}`;
}

/** Markers that tell apart series drawn in tones of one colour (RigL, RigL-SM, RigL-SG; α 0.1, 0.3, 0.5), which are hard to tell apart by tone. */
const SIBLING_SYMBOLS = ['circle', 'triangle', 'rect', 'diamond', 'roundRect', 'pin'] as const;

/** The k-th sibling's marker (see shade). */
export function siblingSymbol(k: number): string {
  return SIBLING_SYMBOLS[k % SIBLING_SYMBOLS.length]!;
}
