import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';
import { WORK_PER_ELEMENT } from '../../kernels/kernel-runtime.js';

/**
 * A training batch written on the heap (kernels/assembly/batch.as): inputs images (the training
 * set's bytes in an int32 tensor), table (normalised value of each byte by channel), examples
 * and shifts (see BatchPlan in data/training-batches.ts); attr shape [h, w, c].
 */
export const assembleBatchConfig = wasmKernel(KERNEL_NAMES.assembleBatch, (ctx) => {
  const [h, w, c] = ctx.attrs['shape'] as [number, number, number];
  const batch = ctx.input('examples').shape[0]!;
  const out = ctx.output([batch, h, w, c]);
  const parts = Math.min(batch, ctx.runtime.partsFor(batch * h * w * c * WORK_PER_ELEMENT.assembleBatch));
  ctx.runtime.run('assembleBatch', [ctx.at('images'), h, w, c, ctx.at('table'), ctx.at('examples'), ctx.at('shifts'), batch, out.at], parts);
  return out.info;
});
