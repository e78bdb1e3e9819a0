import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES, type SgdStepsAttrs } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';
import { WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';

/** Flag bits and table entries of sgdSteps in kernels/assembly/optimizer.as. */
const NESTEROV = 1;
const HAS_VELOCITY = 2;
const MASK_GRADIENT = 4;
const MASK_WEIGHTS = 8;
const MOMENTUM = 16;
const ENTRY_FIELDS = 9;

/**
 * One SGD step of every tensor given, in one pass split over the threads: inputs weights{i},
 * grad{i} and optionally velocity{i} and mask{i} for i < decays.length; outputs, tensor after
 * tensor, the new weights and, with momentum, the new velocity.
 */
export const sgdStepsConfig = wasmKernel(KERNEL_NAMES.sgdSteps, (ctx) => {
  const { lr, momentum, nesterov, maskWeights, decays } = ctx.attrs as unknown as SgdStepsAttrs;
  const { runtime } = ctx;
  const table = new Int32Array(decays.length * ENTRY_FIELDS);
  const tableFloats = new Float32Array(table.buffer);
  const outputs: TensorInfo[] = [];
  let elements = 0;
  decays.forEach((decay, i) => {
    const weights = ctx.input(`weights${i}`);
    const n = tf.util.sizeFromShape(weights.shape);
    const hasVelocity = ctx.inputs[`velocity${i}`] !== undefined;
    const hasMask = ctx.inputs[`mask${i}`] !== undefined;
    const w = ctx.output(weights.shape);
    const v = momentum > 0 ? ctx.output(weights.shape) : null;
    outputs.push(...(v ? [w.info, v.info] : [w.info]));
    const flags =
      (nesterov ? NESTEROV : 0) |
      (hasVelocity ? HAS_VELOCITY : 0) |
      (hasMask && !maskWeights ? MASK_GRADIENT : 0) |
      (hasMask && maskWeights ? MASK_WEIGHTS : 0) |
      (v !== null ? MOMENTUM : 0);
    const velocityAt = hasVelocity ? ctx.at(`velocity${i}`) : 0;
    const maskAt = hasMask ? ctx.at(`mask${i}`) : 0;
    table.set([ctx.at(`weights${i}`), ctx.at(`grad${i}`), velocityAt, maskAt, w.at, v?.at ?? 0, n, flags], i * ENTRY_FIELDS);
    tableFloats[i * ENTRY_FIELDS + 8] = decay;
    elements += n;
  });
  const { base } = runtime.scratch(table.byteLength, 1);
  runtime.write(base, table);
  runtime.run('sgdSteps', [base, decays.length, lr, momentum], runtime.partsFor(elements * WORK_PER_ELEMENT.sgdSteps));
  return outputs;
});
