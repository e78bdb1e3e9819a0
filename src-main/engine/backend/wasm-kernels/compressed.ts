import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel, type WasmKernelContext } from './wasm-kernel.js';
import { TRANSPOSE_MODE, WORK_PER_ELEMENT, type KernelRuntime } from '../../kernels/kernel-runtime.js';

/*
 * A fully connected layer on compressed weights (kernels/assembly/sparse.as), forward and
 * backward each one tfjs kernel: the transposes to and from the layout the sparse products run
 * in ([features, batch] stored by batch chunk), and the bias, happen inside. Compressed weights
 * are W [nIn, nOut]'s active positions, indexed by row (rowPtr [nIn + 1], cols) and by column
 * (colPtr [nOut + 1], colRows, colOrder), with their values vals (see nn/compressed-weights.ts).
 * Every step of the chain runs pinned in batch chunks (KernelRuntime.runPinned), so each thread
 * keeps to its own examples.
 */

/** Runs `body` with scratch tensors of these shapes on the heap, freed afterwards whatever happens. */
function withTemporaries<T>(ctx: WasmKernelContext, shapes: number[][], body: (at: number[]) => T): T {
  const infos = shapes.map((shape) => ctx.backend.makeOutput(shape, 'float32'));
  try {
    return body(infos.map((info) => ctx.runtime.offset(info.dataId)));
  } finally {
    for (const info of infos) ctx.backend.disposeData(info.dataId);
  }
}

/**
 * sumRows' parts split the columns in cache lines: at least four lines each, so that two parts
 * can share a line only at their edges (narrow sums over many rows split finer ran slower).
 */
function sumRowsParts(runtime: KernelRuntime, rows: number, cols: number): number {
  return Math.max(1, Math.min(runtime.partsFor(rows * cols * WORK_PER_ELEMENT.sumRows), Math.floor(cols / 64)));
}

/** [batch, n] to [n, batch] by batch chunk, or back with `toBatchMajor` (+ bias[j] on feature j). */
function transposeBatch(ctx: WasmKernelContext, from: number, batch: number, n: number, to: number, toBatchMajor: boolean, bias = 0): void {
  const args = toBatchMajor ? [from, n, batch, to, bias, TRANSPOSE_MODE.fromChunks] : [from, batch, n, to, 0, TRANSPOSE_MODE.toChunks];
  ctx.runtime.runPinned('transpose2d', args, ctx.runtime.batchParts(batch));
}

/**
 * Inputs x [batch, nIn], colPtr, colRows, colOrder, vals, optional bias [nOut]. Outputs y = x·W + b
 * and xT, x transposed by batch chunk (for compressedDenseGrad only).
 */
const compressedDense = wasmKernel(KERNEL_NAMES.compressedDense, (ctx) => {
  const [batch, nIn] = ctx.input('x').shape as [number, number];
  const nOut = ctx.input('colPtr').shape[0]! - 1;
  const xT = ctx.output([nIn, batch]);
  const y = ctx.output([batch, nOut]);
  transposeBatch(ctx, ctx.at('x'), batch, nIn, xT.at, false);
  withTemporaries(ctx, [[nOut, batch]], ([yT]) => {
    ctx.runtime.runPinned('compressedMatMul', [ctx.at('colPtr'), ctx.at('colRows'), ctx.at('colOrder'), ctx.at('vals'), nIn, nOut, xT.at, batch, yT!], ctx.runtime.batchParts(batch));
    transposeBatch(ctx, yT!, batch, nOut, y.at, true, ctx.inputs['bias'] === undefined ? 0 : ctx.at('bias'));
  });
  return [y.info, xT.info];
});

/**
 * Inputs dy [batch, nOut], xT (from compressedDense), rowPtr, cols, vals; attrs activeGradient,
 * biasGradient, inputGradient (which outputs to make). Outputs, in this order and each only when
 * asked for: dL/dW at the active positions [nnz], dL/db [nOut], dL/dx [batch, nIn].
 */
const compressedDenseGrad = wasmKernel(KERNEL_NAMES.compressedDenseGrad, (ctx) => {
  const [batch, nOut] = ctx.input('dy').shape as [number, number];
  const nIn = ctx.input('rowPtr').shape[0]! - 1;
  const nnz = ctx.input('cols').shape[0]!;
  const { activeGradient, biasGradient, inputGradient } = ctx.attrs as { activeGradient: boolean; biasGradient: boolean; inputGradient: boolean };
  const { runtime } = ctx;
  const grad = activeGradient ? ctx.output([nnz]) : null;
  const dbias = biasGradient ? ctx.output([nOut]) : null;
  const dx = inputGradient ? ctx.output([batch, nIn]) : null;
  const parts = runtime.batchParts(batch);
  if (dbias) runtime.run('sumRows', [ctx.at('dy'), batch, nOut, dbias.at], sumRowsParts(runtime, batch, nOut));
  // dyT only for the products that read it (a dense-gradient step of the first layer needs neither).
  if (grad || dx) {
    withTemporaries(ctx, [[nOut, batch]], ([dyT]) => {
      transposeBatch(ctx, ctx.at('dy'), batch, nOut, dyT!, false);
      if (grad && parts === 1) runtime.run('compressedSampledGrad', [ctx.at('rowPtr'), ctx.at('cols'), nIn, nOut, ctx.at('xT'), dyT!, batch, grad.at], 1);
      if (grad && parts > 1) {
        // Each chunk's sums apart, then added in chunk order (the order one part adds them in).
        withTemporaries(ctx, [[parts, nnz]], ([partials]) => {
          runtime.runPinned('compressedSampledGrad', [ctx.at('rowPtr'), ctx.at('cols'), nIn, nOut, ctx.at('xT'), dyT!, batch, partials!], parts);
          runtime.run('sumPartials', [partials!, parts, nnz, grad.at], runtime.partsFor(nnz * parts * WORK_PER_ELEMENT.sumRows));
        });
      }
      if (dx) {
        withTemporaries(ctx, [[nIn, batch]], ([dxT]) => {
          runtime.runPinned('compressedMatMulTransposed', [ctx.at('rowPtr'), ctx.at('cols'), ctx.at('vals'), nIn, nOut, dyT!, batch, dxT!], parts);
          transposeBatch(ctx, dxT!, batch, nIn, dx.at, true);
        });
      }
    });
  }
  return [grad, dbias, dx].flatMap((o): TensorInfo[] => (o ? [o.info] : []));
});

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
 * Outputs the int32 index of compressed weights: rowPtr, cols, colPtr, colRows, colOrder.
 */
const compressedIndex = wasmKernel(KERNEL_NAMES.compressedIndex, (ctx) => {
  const positions = ctx.input('positions');
  const nnz = positions.shape[0]!;
  const { nIn, nOut } = ctx.attrs as { nIn: number; nOut: number };
  if (positions.dtype !== 'int32' || positions.shape.length !== 1) throw new Error(`${KERNEL_NAMES.compressedIndex}: positions must be int32 [nnz]`);
  const [rowPtr, cols, colPtr, colRows, colOrder] = [[nIn + 1], [nnz], [nOut + 1], [nnz], [nnz]].map((shape) => ctx.output(shape, 'int32'));
  ctx.runtime.call('compressedIndex', [ctx.at('positions'), nnz, nIn, nOut, rowPtr!.at, cols!.at, colPtr!.at, colRows!.at, colOrder!.at]);
  return [rowPtr!.info, cols!.info, colPtr!.info, colRows!.info, colOrder!.info];
});

/**
 * Inputs values [nFrom] and sources (int32 [nTo], each an index into values or −1); output
 * [nTo]: values[sources[k]], 0 where sources[k] is −1.
 */
const carryValues = wasmKernel(KERNEL_NAMES.carryValues, (ctx) => {
  const sources = ctx.input('sources');
  const n = sources.shape[0]!;
  if (sources.dtype !== 'int32' || sources.shape.length !== 1) throw new Error(`${KERNEL_NAMES.carryValues}: sources must be int32 [n]`);
  const out = ctx.output([n]);
  ctx.runtime.call('carryValues', [ctx.at('values'), ctx.at('sources'), n, out.at]);
  return out.info;
});

export const COMPRESSED_KERNEL_CONFIGS = [compressedDense, compressedDenseGrad, sumLeadingAxes, compressedIndex, carryValues];
