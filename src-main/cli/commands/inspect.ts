import { parseArgs } from 'node:util';
import { ConfigError, newRunConfigSchema, parseWith, resolveRunConfig } from '../../../src-shared/config/run.js';
import { planRun } from '../../../src-shared/plan.js';
import { formatCount, formatRatio, table } from '../format.js';
import { count } from '../../../src-shared/report/format.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { parseFlags } from '../parse-flags.js';
import { configErrorAsFlags, flagsToExperiment, runFlagOptions } from '../run-flags.js';

export const INSPECT_HELP = `rigl-lab inspect [--model M] [--dataset D] [--method M] [--sparsity S] [--distribution X] [--json]
  Lists the masked layers of a model with their shape, parameters, density and forward FLOPs at
  the given sparsity and distribution (defaults: the dataset's model, fashion-mnist, rigl, 0.9,
  erk), without training. It takes the flags of one \`rigl-lab run\` (see rigl-lab run --help):
  --width (Small-Dense), --dense-first-layer and --layer-sparsity change the layers, --epochs
  and --multiplier the training FLOPs.`;

export interface InspectReport {
  model: string;
  label: string;
  dataset: string;
  method: string;
  sparsity: number;
  distribution: string;
  layers: Array<{ name: string; shape: number[]; params: number; density: number; active: number; flops: number; denseFlops: number }>;
  totals: {
    maskedParams: number;
    activeParams: number;
    density: number;
    parameters: number;
    denseFlops: number;
    /** The full-width dense model's forward FLOPs, which the ratios divide by (denseFlops is less for Small-Dense). */
    referenceFlops: number;
    flops: number;
    inferenceFlopsRatio: number;
    trainFlopsRatio: number;
    steps: number;
  };
}

export function inspectModel(input: Record<string, unknown>): InspectReport {
  const config = parseWith(newRunConfigSchema, resolveRunConfig(input));
  const plan = planRun(config);
  const layers = plan.layers.map((l, i) => {
    const a = plan.allocation[i]!;
    // The distribution's density; the mask keeps round(density · params) = `active` weights.
    return { name: l.name, shape: l.shape, params: l.params, density: a.density, active: a.active, flops: l.flops * (a.active / a.params), denseFlops: l.flops };
  });
  const maskedParams = layers.reduce((s, l) => s + l.params, 0);
  const activeParams = layers.reduce((s, l) => s + l.active, 0);
  return {
    model: config.model,
    label: plan.model.label,
    dataset: config.dataset,
    method: config.method,
    sparsity: config.sparsity,
    distribution: config.distribution,
    layers,
    totals: {
      maskedParams,
      activeParams,
      density: activeParams / maskedParams,
      parameters: plan.parameters,
      denseFlops: plan.flops.denseForward,
      referenceFlops: plan.flops.referenceForward,
      flops: plan.flops.inference,
      inferenceFlopsRatio: plan.flops.inferenceRatio,
      trainFlopsRatio: plan.flops.trainRatio,
      steps: plan.totalSteps,
    },
  };
}

export function printInspect(report: InspectReport, ctx: CommandContext): void {
  const { totals } = report;
  ctx.out(
    `${report.label} on ${report.dataset}, ${report.method === 'dense' ? 'dense' : `${report.method} at sparsity ${report.sparsity} (${report.distribution})`}\n`,
  );
  ctx.out(
    table(
      ['layer', 'shape', 'params', 'density', 'active', 'FLOPs'],
      report.layers.map((l) => [l.name, l.shape.join('×'), String(l.params), l.density.toFixed(4), String(l.active), formatCount(l.flops)]),
      [2, 3, 4, 5],
    ),
  );
  ctx.out(
    `\nmasked weights ${totals.maskedParams} (active ${totals.activeParams}, density ${totals.density.toFixed(4)}); ` +
      `all parameters ${totals.parameters}\n` +
      `forward FLOPs per example ${formatCount(totals.flops)} of ${formatCount(totals.referenceFlops)} dense${totals.referenceFlops === totals.denseFlops ? '' : ' at full width'} ` +
      `(inference ${formatRatio(totals.inferenceFlopsRatio)}; training ${formatRatio(totals.trainFlopsRatio)} over ${count(totals.steps)} steps, against the dense run of standard length)`,
  );
}

export function inspectCommand(args: string[], ctx: CommandContext): number {
  const { values } = parseFlags('inspect', () => parseArgs({ args, options: { ...runFlagOptions, json: { type: 'boolean' } } as const, strict: true, allowPositionals: false, allowNegative: true }));
  const { base, grid } = flagsToExperiment(values, 'inspect');
  if (grid && Object.keys(grid).length > 0) throw new UsageError(`inspect takes one value per flag, got lists for ${Object.keys(grid).join(', ')}`);
  let report: InspectReport;
  try {
    report = inspectModel(base ?? {});
  } catch (error) {
    if (error instanceof ConfigError) throw configErrorAsFlags(error);
    throw error;
  }
  if (values.json) ctx.out(JSON.stringify(report));
  else printInspect(report, ctx);
  return 0;
}
