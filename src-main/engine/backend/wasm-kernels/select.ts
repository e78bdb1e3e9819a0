import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/**
 * The k positions of largest (attr largest true) or smallest |values| among those where mask
 * (bool, same size) equals `want`, or among all when there is no mask, in increasing order
 * (kernels/assembly/select.as). Attrs: want (0 or 1), count (how many candidates there are),
 * k ≤ count, largest. Output int32 [k], or fewer where fewer candidates have a magnitude that is
 * not NaN.
 */
export const selectMagnitudesConfig = wasmKernel(KERNEL_NAMES.selectMagnitudes, (ctx) => {
  const values = ctx.input('values');
  const n = values.shape.reduce((a, b) => a * b, 1);
  const { want, count, k, largest } = ctx.attrs as { want: number; count: number; k: number; largest: boolean };
  const mask = ctx.inputs['mask'];
  if (mask !== undefined && (mask.dtype !== 'bool' || mask.shape.reduce((a, b) => a * b, 1) !== n)) {
    throw new Error(`${KERNEL_NAMES.selectMagnitudes}: the mask must be bool, with the values' ${n} elements`);
  }
  if (!(k >= 0 && k <= count && count <= n)) throw new Error(`${KERNEL_NAMES.selectMagnitudes}: k ${k} of ${count} candidates among ${n}`);
  const { runtime } = ctx;
  const out = ctx.output([k], 'int32');
  const select = (capacity: number): number => {
    const scratch = runtime.scratch(runtime.scratchBytes('selectMagnitudesScratchBytes', capacity), 1);
    const maskAt = mask === undefined ? 0 : ctx.at('mask');
    return runtime.call('selectMagnitudes', [ctx.at('values'), maskAt, want, n, count, k, largest ? 1 : 0, scratch.base, capacity, out.at]);
  };
  // Room for what a good sampled bound lets through; every candidate when it was not good enough.
  let found = select(Math.min(count, 2 * k + 8192));
  if (found < 0) found = select(count);
  if (found < 0) {
    ctx.backend.disposeData(out.info.dataId);
    throw new Error(`${KERNEL_NAMES.selectMagnitudes}: more than the ${count} candidates it was told of passed the bound (is count right?)`);
  }
  if (found === k) return out.info;
  const fewer = ctx.output([found], 'int32');
  ctx.backend.typedArrayFromHeap(fewer.info).set(ctx.backend.typedArrayFromHeap(out.info).subarray(0, found));
  ctx.backend.disposeData(out.info.dataId);
  return fewer.info;
});
