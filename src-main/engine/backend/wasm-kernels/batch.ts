import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/**
 * A training batch written on the heap (kernels/assembly/batch.as): inputs images (the training
 * set's bytes in an int32 tensor), table (normalised value of each byte by channel), examples
 * and shifts (see BatchPlan in data/training-batches.ts); attrs shape [h, w, c] and toChunks (the
 * output [h·w·c, batch] in batch chunks, nn/batch-chunks.ts, instead of [batch, h, w, c]).
 */
export const assembleBatchConfig = wasmKernel(KERNEL_NAMES.assembleBatch, (ctx) => {
  const [h, w, c] = ctx.attrs['shape'] as [number, number, number];
  const toChunks = ctx.attrs['toChunks'] === true;
  const batch = ctx.input('examples').shape[0]!;
  const out = ctx.output(toChunks ? [h * w * c, batch] : [batch, h, w, c]);
  // Pinned in batch chunks, as the compressed layers that read it next run.
  const args = [ctx.at('images'), h, w, c, ctx.at('table'), ctx.at('examples'), ctx.at('shifts'), batch, toChunks ? 1 : 0, out.at];
  ctx.runtime.runPinned('assembleBatch', args, ctx.runtime.batchParts(batch));
  return out.info;
});
