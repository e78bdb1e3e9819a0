import type { WasmKernelContext } from './wasm-kernel.js';

/** Runs `body` with scratch tensors of these shapes (4-byte elements) on the heap, freed afterwards whatever happens. */
export function withTemporaries<T>(ctx: WasmKernelContext, shapes: number[][], body: (at: number[]) => T): T {
  const infos = shapes.map((shape) => ctx.backend.makeOutput(shape, 'float32'));
  try {
    return body(infos.map((info) => ctx.runtime.offset(info.dataId)));
  } finally {
    for (const info of infos) ctx.backend.disposeData(info.dataId);
  }
}

/** Runs `body` with copies of these int32 host arrays on the heap (temporaries), freed afterwards. */
export function withHostArrays<T>(ctx: WasmKernelContext, arrays: readonly Int32Array[], body: (at: number[]) => T): T {
  return withTemporaries(ctx, arrays.map((a) => [a.length]), (at) => {
    arrays.forEach((a, i) => ctx.runtime.write(at[i]!, a));
    return body(at);
  });
}
