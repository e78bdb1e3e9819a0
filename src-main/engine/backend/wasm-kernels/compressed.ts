import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel } from './wasm-kernel.js';

/*
 * The compressed fully connected kernels (kernels/assembly/sparse.as) and the sum over leading
 * axes as tfjs kernels, so that they run inside tf.tidy like any op. Compressed weights are W
 * [nIn, nOut]'s active positions, indexed by row (rowPtr [nIn + 1], cols) and by column (colPtr
 * [nOut + 1], colRows, colOrder), with their values vals (see nn/compressed-weights.ts).
 */

/** yT [nOut, batch] from xT [nIn, batch]. */
const compressedMatMul = wasmKernel(KERNEL_NAMES.compressedMatMul, (ctx) => {
  const batch = ctx.input('xT').shape[1]!;
  const nOut = ctx.input('colPtr').shape[0]! - 1;
  const out = ctx.output([nOut, batch]);
  const parts = ctx.runtime.partsFor(2 * ctx.input('colRows').shape[0]! * batch);
  ctx.runtime.run('compressedMatMul', [ctx.at('colPtr'), ctx.at('colRows'), ctx.at('colOrder'), ctx.at('vals'), nOut, ctx.at('xT'), batch, out.at], parts);
  return out.info;
});

/** dxT [nIn, batch] from dyT [nOut, batch]. */
const compressedMatMulTransposed = wasmKernel(KERNEL_NAMES.compressedMatMulTransposed, (ctx) => {
  const nIn = ctx.input('rowPtr').shape[0]! - 1;
  const batch = ctx.input('dyT').shape[1]!;
  const out = ctx.output([nIn, batch]);
  const parts = ctx.runtime.partsFor(2 * ctx.input('cols').shape[0]! * batch);
  ctx.runtime.run('compressedMatMulTransposed', [ctx.at('rowPtr'), ctx.at('cols'), ctx.at('vals'), nIn, ctx.at('dyT'), batch, out.at], parts);
  return out.info;
});

/** grad [nnz] from xT [nIn, batch] and dyT [nOut, batch]. */
const compressedSampledGrad = wasmKernel(KERNEL_NAMES.compressedSampledGrad, (ctx) => {
  const [nIn, batch] = ctx.input('xT').shape as [number, number];
  const nnz = ctx.input('cols').shape[0]!;
  const out = ctx.output([nnz]);
  const parts = ctx.runtime.partsFor(2 * nnz * batch);
  ctx.runtime.run('compressedSampledGrad', [ctx.at('rowPtr'), ctx.at('cols'), nIn, ctx.at('xT'), ctx.at('dyT'), batch, out.at], parts);
  return out.info;
});

/** [..., C] -> [C]. */
const sumLeadingAxes = wasmKernel(KERNEL_NAMES.sumLeadingAxes, (ctx) => {
  const shape = ctx.input('x').shape;
  const cols = shape[shape.length - 1]!;
  const rows = tf.util.sizeFromShape(shape) / cols;
  const out = ctx.output([cols]);
  ctx.runtime.run('sumRows', [ctx.at('x'), rows, cols, out.at], ctx.runtime.partsFor(rows * cols));
  return out.info;
});

export const COMPRESSED_KERNEL_CONFIGS = [compressedMatMul, compressedMatMulTransposed, compressedSampledGrad, sumLeadingAxes];
