import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';
import { WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';

/**
 * Inverted dropout (kernels/assembly/dropout.as): input x, attrs rate and seed (uint32); output
 * y = x·mask, the mask 0, or 1/(1 − rate) where kept. The numbers come from a counter-based hash
 * of the seed and the element's index, drawn in the kernel instead of by tfjs's JavaScript
 * generator (which took tens of milliseconds per WRN step). The same seed on dL/dy gives the
 * gradient: the mask is drawn again, never kept.
 */
export const dropoutConfig = wasmKernel(KERNEL_NAMES.dropout, (ctx) => {
  const x = ctx.input('x');
  const n = tf.util.sizeFromShape(x.shape);
  const y = ctx.output(x.shape);
  const rate = ctx.attrs['rate'] as number;
  if (!(rate >= 0 && rate < 1)) throw new Error(`${KERNEL_NAMES.dropout}: rate ${rate} is not in [0, 1)`);
  ctx.runtime.run('dropout', [ctx.at('x'), n, rate, ctx.attrs['seed'] as number, y.at], ctx.runtime.partsFor(n * WORK_PER_ELEMENT.dropout));
  return y.info;
});
