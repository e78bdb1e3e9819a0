import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES, type CompressedDenseGradAttrs } from '../../kernels/names.js';
import { denseRowIndex } from '../../kernels/dense-row-index.js';
import { withHostArrays, withTemporaries } from './temporaries.js';
import { requireShape, wasmKernel, type WasmKernelContext } from './wasm-kernel.js';
import { TRANSPOSE_MODE, WORK_PER_ELEMENT, type KernelRuntime } from '../../kernels/kernel-runtime.js';
import { denseGradientFromChunks } from './matmul.js';

/*
 * A fully connected layer on compressed weights (kernels/assembly/sparse.as), forward and
 * backward each one tfjs kernel. Its activations live in batch chunks ([features, batch] stored
 * by chunk of BATCH_CHUNK examples, nn/batch-chunks.ts): the output always, the input when it
 * comes so (from another compressed layer, through a ReLU), else it is transposed inside.
 * Compressed weights are W [nIn, nOut]'s active positions indexed by row (rowPtr [nIn + 1],
 * cols), with their values vals (see nn/compressed-weights.ts); without rowPtr and cols, vals is
 * a dense W [nIn, nOut] and every position is indexed (a narrow layer after compressed ones, see
 * nn/dense.ts). Every step of the chain runs pinned in batch chunks (KernelRuntime.runPinned), so
 * each thread keeps to its own examples.
 */

/** Heap addresses of the weights' row index and values. */
interface RowIndexAt {
  rowPtr: number;
  cols: number;
  vals: number;
  nnz: number;
  /** Whether vals is a dense W, every position indexed. */
  everyPosition: boolean;
}

/**
 * Runs `body` with the index of the kernel's weights: its rowPtr and cols inputs or, without
 * them, every position of vals [nIn, nOut] (written to temporaries).
 */
function withRowIndex<T>(ctx: WasmKernelContext, kernelName: string, nIn: number, nOut: number, body: (index: RowIndexAt) => T): T {
  if (ctx.inputs['rowPtr'] !== undefined) {
    requireShape(kernelName, 'rowPtr', ctx.input('rowPtr'), [nIn + 1]);
    const nnz = ctx.input('cols').shape[0]!;
    requireShape(kernelName, 'vals', ctx.input('vals'), [nnz]);
    return body({ rowPtr: ctx.at('rowPtr'), cols: ctx.at('cols'), vals: ctx.at('vals'), nnz, everyPosition: false });
  }
  requireShape(kernelName, 'vals', ctx.input('vals'), [nIn, nOut]);
  const arrays = denseRowIndex([nIn, nOut]);
  return withHostArrays(ctx, [arrays.rowPtr, arrays.cols], ([rowPtr, cols]) =>
    body({ rowPtr: rowPtr!, cols: cols!, vals: ctx.at('vals'), nnz: arrays.cols.length, everyPosition: true }),
  );
}

/**
 * Parts for sumRows (which splits the columns) and sumChunkRows (the rows of its chunks), both in
 * cache lines of their output: at least four lines each, so that two parts can share a line only
 * at their edges (narrow sums over many rows split finer ran slower).
 */
function sumRowsParts(runtime: KernelRuntime, rows: number, cols: number): number {
  return Math.max(1, Math.min(runtime.partsFor(rows * cols * WORK_PER_ELEMENT.sumRows), Math.floor(cols / 64)));
}

/** [batch, n] to [n, batch] in batch chunks, or back with `toBatchMajor`. */
function transposeBatch(ctx: WasmKernelContext, from: number, batch: number, n: number, to: number, toBatchMajor: boolean): void {
  const args = toBatchMajor ? [from, n, batch, to, TRANSPOSE_MODE.fromChunks] : [from, batch, n, to, TRANSPOSE_MODE.toChunks];
  ctx.runtime.runPinned('transpose2d', args, ctx.runtime.batchParts(batch));
}

/** Input x [batch, n], or [n, batch] in batch chunks with attr toBatchMajor; output the other layout. */
const batchChunks = wasmKernel(KERNEL_NAMES.batchChunks, (ctx) => {
  const { toBatchMajor } = ctx.attrs as { toBatchMajor: boolean };
  const x = ctx.input('x');
  if (x.dtype !== 'float32' || x.shape.length !== 2) throw new Error(`${KERNEL_NAMES.batchChunks}: x must be a float32 matrix`);
  const [rows, cols] = x.shape as [number, number];
  const out = ctx.output([cols, rows]);
  transposeBatch(ctx, ctx.at('x'), toBatchMajor ? cols : rows, toBatchMajor ? rows : cols, out.at, toBatchMajor);
  return out.info;
});

/**
 * Inputs x (attr inputChunks: [nIn, batch] in batch chunks, else [batch, nIn]), rowPtr and cols
 * (or neither), vals, optional bias [nOut]; attrs nOut and relu. Outputs yT = x·W + b, rectified with relu, in
 * batch chunks [nOut, batch] and, for an input that was not in chunks, xT (x in batch chunks, for
 * compressedDenseGrad).
 */
const compressedDense = wasmKernel(KERNEL_NAMES.compressedDense, (ctx) => {
  const { nOut, inputChunks, relu } = ctx.attrs as { nOut: number; inputChunks: boolean; relu: boolean };
  const x = ctx.input('x');
  const [batch, nIn] = (inputChunks ? [x.shape[1], x.shape[0]] : x.shape) as [number, number];
  const bias = ctx.inputs['bias'] === undefined ? 0 : ctx.at('bias');
  // Outputs are made once the weights' shapes are checked, so that a refused call leaves none behind.
  return withRowIndex(ctx, KERNEL_NAMES.compressedDense, nIn, nOut, (w) => {
    const yT = ctx.output([nOut, batch]);
    const xT = inputChunks ? null : ctx.output([nIn, batch]);
    // A batch-major x is transposed into xT chunk by chunk inside the product.
    const [from, into] = xT ? [ctx.at('x'), xT.at] : [0, ctx.at('x')];
    ctx.runtime.runPinned('compressedMatMul', [w.rowPtr, w.cols, w.vals, bias, relu ? 1 : 0, nIn, nOut, from, into, batch, yT.at], ctx.runtime.batchParts(batch));
    return xT ? [yT.info, xT.info] : yT.info;
  });
});

/**
 * Inputs dyT [nOut, batch] and xT [nIn, batch] (both in batch chunks), rowPtr and cols (or
 * neither), vals; attrs activeGradient, denseGradient, biasGradient, inputGradient (which outputs
 * to make), inputChunks (dx's layout, that of the forward's input) and reluInput (x is a ReLU's
 * output: dx is then the gradient of the ReLU's input, zero where x is not positive). Outputs, in
 * this order and each only when asked for: dL/dW at the active positions [nnz] (or, without
 * rowPtr, [nIn, nOut]) or, with denseGradient, at every position [nIn, nOut] (a RigL update's);
 * dL/db [nOut]; dL/dx.
 */
const compressedDenseGrad = wasmKernel(KERNEL_NAMES.compressedDenseGrad, (ctx) => {
  const [nOut, batch] = ctx.input('dyT').shape as [number, number];
  const nIn = ctx.input('xT').shape[0]!;
  requireShape(KERNEL_NAMES.compressedDenseGrad, 'xT', ctx.input('xT'), [nIn, batch]);
  return withRowIndex(ctx, KERNEL_NAMES.compressedDenseGrad, nIn, nOut, (w) => compressedDenseGradWith(ctx, w, nIn, nOut, batch));
});

function compressedDenseGradWith(ctx: WasmKernelContext, w: RowIndexAt, nIn: number, nOut: number, batch: number): TensorInfo[] {
  const { nnz } = w;
  const { activeGradient, denseGradient, biasGradient, inputGradient, inputChunks, reluInput } = ctx.attrs as unknown as CompressedDenseGradAttrs;
  if (activeGradient && denseGradient) throw new Error(`${KERNEL_NAMES.compressedDenseGrad}: activeGradient and denseGradient exclude each other`);
  const { runtime } = ctx;
  const dyT = ctx.at('dyT');
  const grad = activeGradient ? ctx.output(w.everyPosition ? [nIn, nOut] : [nnz]) : null;
  const dense = denseGradient ? ctx.output([nIn, nOut]) : null;
  const dbias = biasGradient ? ctx.output([nOut]) : null;
  const dx = inputGradient ? ctx.output(inputChunks ? [nIn, batch] : [batch, nIn]) : null;
  const parts = runtime.batchParts(batch);
  if (dbias) runtime.run('sumChunkRows', [dyT, nOut, batch, dbias.at], sumRowsParts(runtime, batch, nOut));
  // One pinned pass for both products. With a part per chunk, each chunk's weight gradient comes
  // apart and they are added in chunk order (the order one part adds them in); a batch-major dx
  // is made in chunks, then transposed.
  if (grad || dx) {
    const partialsShape = grad && parts > 1 ? [[parts, nnz]] : [];
    const dxTShape = dx && !inputChunks ? [[nIn, batch]] : [];
    withTemporaries(ctx, [...partialsShape, ...dxTShape], (scratch) => {
      const partials = grad ? (parts > 1 ? scratch[0]! : grad.at) : 0;
      const dxT = dx ? (inputChunks ? dx.at : scratch[scratch.length - 1]!) : 0;
      runtime.runPinned('compressedGrads', [w.rowPtr, w.cols, w.vals, nIn, nOut, ctx.at('xT'), dyT, batch, partials, dxT, reluInput ? 1 : 0], parts);
      if (grad && parts > 1) runtime.run('sumPartials', [partials, parts, nnz, grad.at], runtime.partsFor(nnz * parts * WORK_PER_ELEMENT.sumRows));
      if (dx && !inputChunks) transposeBatch(ctx, dxT, batch, nIn, dx.at, true);
    });
  }
  if (dense) denseGradientFromChunks(runtime, ctx.at('xT'), dyT, nIn, nOut, batch, dense.at);
  return [grad ?? dense, dbias, dx].flatMap((o): TensorInfo[] => (o ? [o.info] : []));
}

/** [..., C] -> [C]. */
const sumLeadingAxes = wasmKernel(KERNEL_NAMES.sumLeadingAxes, (ctx) => {
  const shape = ctx.input('x').shape;
  const cols = shape[shape.length - 1]!;
  const rows = tf.util.sizeFromShape(shape) / cols;
  const out = ctx.output([cols]);
  ctx.runtime.run('sumRows', [ctx.at('x'), rows, cols, out.at], sumRowsParts(ctx.runtime, rows, cols));
  return out.info;
});

/**
 * Input positions (int32 [nnz], increasing flat indices of W [nIn, nOut]); attrs nIn, nOut.
 * Outputs the int32 row index of compressed weights: rowPtr, cols.
 */
const compressedIndex = wasmKernel(KERNEL_NAMES.compressedIndex, (ctx) => {
  const positions = ctx.input('positions');
  const nnz = positions.shape[0]!;
  const { nIn, nOut } = ctx.attrs as { nIn: number; nOut: number };
  if (positions.dtype !== 'int32' || positions.shape.length !== 1) throw new Error(`${KERNEL_NAMES.compressedIndex}: positions must be int32 [nnz]`);
  return rowIndexOf(ctx, ctx.at('positions'), nnz, nIn, nOut);
});

/** The row index (rowPtr, cols) of nnz increasing flat positions of W [nIn, nOut] at `positions`, as new outputs. */
function rowIndexOf(ctx: WasmKernelContext, positions: number, nnz: number, nIn: number, nOut: number): TensorInfo[] {
  const rowPtr = ctx.output([nIn + 1], 'int32');
  const cols = ctx.output([nnz], 'int32');
  ctx.runtime.call('compressedIndex', [positions, nnz, nIn, nOut, rowPtr.at, cols.at]);
  return [rowPtr.info, cols.info];
}

/**
 * Inputs values [nFrom] and sources (int32 [nTo], each an index into values or −1); output
 * [nTo]: values[sources[k]], 0 where sources[k] is −1.
 */
const carryValues = wasmKernel(KERNEL_NAMES.carryValues, (ctx) => {
  const sources = ctx.input('sources');
  const n = sources.shape[0]!;
  if (sources.dtype !== 'int32' || sources.shape.length !== 1) throw new Error(`${KERNEL_NAMES.carryValues}: sources must be int32 [n]`);
  return carried(ctx, ctx.at('values'), ctx.at('sources'), n);
});

/** values[sources[k]] (0 where sources[k] is −1) for n sources at `sources`, as a new output. */
function carried(ctx: WasmKernelContext, values: number, sources: number, n: number): TensorInfo {
  const out = ctx.output([n]);
  ctx.runtime.call('carryValues', [values, sources, n, out.at]);
  return out.info;
}

/**
 * Attrs active, dropped and grown: host int32 arrays of flat positions, each increasing, dropped ⊆
 * active, grown among the positions inactive after the drop; optional inputs values and momentum
 * (one float per active position) and attr rows ([nIn, nOut], for a fully connected kernel).
 * Outputs the int32 positions of (active − dropped) ∪ grown, in increasing order, and each one's
 * index in active or −1 (a dropped position grown again keeps its index); then values and
 * momentum carried to the new positions (0 at new ones), and the new positions' row index
 * (rowPtr, cols), each when asked for: a compressed kernel's whole move in one call.
 */
const mergeActive = wasmKernel(KERNEL_NAMES.mergeActive, (ctx) => {
  const { active, dropped, grown, rows } = ctx.attrs as unknown as { active: Int32Array; dropped: Int32Array; grown: Int32Array; rows?: [number, number] };
  const carriedInputs = (['values', 'momentum'] as const).filter((name) => ctx.inputs[name] !== undefined);
  for (const name of carriedInputs) requireShape(KERNEL_NAMES.mergeActive, name, ctx.input(name), [active.length]);
  // The row index writes row starts up to the last position's row: every position must lie in W.
  if (rows && Math.max(active.at(-1) ?? -1, grown.at(-1) ?? -1) >= rows[0] * rows[1]) {
    throw new Error(`${KERNEL_NAMES.mergeActive}: a position lies past a [${rows.join(', ')}] kernel`);
  }
  const size = active.length - dropped.length + grown.length;
  const capacity = Math.max(0, size);
  const positions = ctx.output([capacity], 'int32');
  const sources = ctx.output([capacity], 'int32');
  const written = withHostArrays(ctx, [active, dropped, grown], ([a, d, g]) =>
    ctx.runtime.call('mergeActive', [a!, active.length, d!, dropped.length, g!, grown.length, positions.at, sources.at, capacity]),
  );
  if (written !== size) {
    ctx.backend.disposeData(positions.info.dataId);
    ctx.backend.disposeData(sources.info.dataId);
    throw new Error(`${KERNEL_NAMES.mergeActive}: the lists do not merge to ${size} positions (dropped must be active, grown inactive after the drop, each list increasing)`);
  }
  return [
    positions.info,
    sources.info,
    ...carriedInputs.map((name) => carried(ctx, ctx.at(name), sources.at, size)),
    ...(rows ? rowIndexOf(ctx, positions.at, size, rows[0], rows[1]) : []),
  ];
});

export const COMPRESSED_KERNEL_CONFIGS = [batchChunks, compressedDense, compressedDenseGrad, sumLeadingAxes, compressedIndex, carryValues, mergeActive];
