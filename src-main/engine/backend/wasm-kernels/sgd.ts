import { KERNEL_NAMES, type SgdStepAttrs } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';
import { WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';

/** Flag bits of sgdStep in kernels/assembly/optimizer.as. */
const NESTEROV = 1;
const HAS_VELOCITY = 2;
const MASK_GRADIENT = 4;
const MASK_WEIGHTS = 8;
const MOMENTUM = 16;

/**
 * One SGD step in one pass: inputs weights, grad and optionally velocity and mask; outputs the
 * new weights and, with momentum, the new velocity.
 */
export const sgdStepConfig = wasmKernel(KERNEL_NAMES.sgdStep, (ctx) => {
  const { lr, momentum, decay, nesterov, maskWeights } = ctx.attrs as unknown as SgdStepAttrs;
  const weights = ctx.input('weights');
  const n = weights.shape.reduce((a, b) => a * b, 1);
  const hasVelocity = ctx.inputs['velocity'] !== undefined;
  const hasMask = ctx.inputs['mask'] !== undefined;
  const w = ctx.output(weights.shape);
  const v = momentum > 0 ? ctx.output(weights.shape) : null;
  const flags =
    (nesterov ? NESTEROV : 0) |
    (hasVelocity ? HAS_VELOCITY : 0) |
    (hasMask && !maskWeights ? MASK_GRADIENT : 0) |
    (hasMask && maskWeights ? MASK_WEIGHTS : 0) |
    (v !== null ? MOMENTUM : 0);
  ctx.runtime.run(
    'sgdStep',
    [ctx.at('weights'), ctx.at('grad'), hasVelocity ? ctx.at('velocity') : 0, hasMask ? ctx.at('mask') : 0, w.at, v?.at ?? 0, n, lr, momentum, decay, flags],
    ctx.runtime.partsFor(n * WORK_PER_ELEMENT.sgdStep),
  );
  return v === null ? [w.info] : [w.info, v.info];
});
