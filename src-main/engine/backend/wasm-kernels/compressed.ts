import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { KERNEL_NAMES } from '../../kernels/names.js';
import { wasmKernel, type WasmKernelContext } from './wasm-kernel.js';

/*
 * A fully connected layer on compressed weights (kernels/assembly/sparse.as), forward and
 * backward each one tfjs kernel: the transposes to and from the batch-minor layout the sparse
 * products run in, and the bias, happen inside, on every thread. Compressed weights are W
 * [nIn, nOut]'s active positions, indexed by row (rowPtr [nIn + 1], cols) and by column (colPtr
 * [nOut + 1], colRows, colOrder), with their values vals (see nn/compressed-weights.ts).
 */

/** A scratch tensor on the heap for the middle of a kernel (disposed by `free`). */
function temporary(ctx: WasmKernelContext, shape: number[]): { at: number; free: () => void } {
  const info = ctx.backend.makeOutput(shape, 'float32');
  return { at: ctx.runtime.offset(info.dataId), free: () => ctx.backend.disposeData(info.dataId) };
}

function transpose(ctx: WasmKernelContext, from: number, rows: number, cols: number, to: number, bias = 0): void {
  ctx.runtime.run('transpose2d', [from, rows, cols, to, bias], ctx.runtime.partsFor(rows * cols * 8));
}

/** Inputs x [batch, nIn], colPtr, colRows, colOrder, vals, optional bias [nOut]. Outputs y = x·W + b and xT [nIn, batch]. */
const compressedDense = wasmKernel(KERNEL_NAMES.compressedDense, (ctx) => {
  const [batch, nIn] = ctx.input('x').shape as [number, number];
  const nOut = ctx.input('colPtr').shape[0]! - 1;
  const xT = ctx.output([nIn, batch]);
  transpose(ctx, ctx.at('x'), batch, nIn, xT.at);
  const yT = temporary(ctx, [nOut, batch]);
  const nnz = ctx.input('colRows').shape[0]!;
  ctx.runtime.run('compressedMatMul', [ctx.at('colPtr'), ctx.at('colRows'), ctx.at('colOrder'), ctx.at('vals'), nOut, xT.at, batch, yT.at], ctx.runtime.partsFor(2 * nnz * batch));
  const y = ctx.output([batch, nOut]);
  transpose(ctx, yT.at, nOut, batch, y.at, ctx.inputs['bias'] === undefined ? 0 : ctx.at('bias'));
  yT.free();
  return [y.info, xT.info];
});

/**
 * Inputs dy [batch, nOut], xT [nIn, batch], rowPtr, cols, vals; attrs activeGradient,
 * biasGradient, inputGradient (which outputs to make). Outputs, in this order and each only when
 * asked for: dL/dW at the active positions [nnz], dL/db [nOut], dL/dx [batch, nIn].
 */
const compressedDenseGrad = wasmKernel(KERNEL_NAMES.compressedDenseGrad, (ctx) => {
  const [batch, nOut] = ctx.input('dy').shape as [number, number];
  const nIn = ctx.input('rowPtr').shape[0]! - 1;
  const nnz = ctx.input('cols').shape[0]!;
  const { activeGradient, biasGradient, inputGradient } = ctx.attrs as { activeGradient: boolean; biasGradient: boolean; inputGradient: boolean };
  const { runtime } = ctx;
  const outputs: TensorInfo[] = [];
  const dyT = temporary(ctx, [nOut, batch]);
  transpose(ctx, ctx.at('dy'), batch, nOut, dyT.at);
  if (activeGradient) {
    const grad = ctx.output([nnz]);
    runtime.run('compressedSampledGrad', [ctx.at('rowPtr'), ctx.at('cols'), nIn, ctx.at('xT'), dyT.at, batch, grad.at], runtime.partsFor(2 * nnz * batch));
    outputs.push(grad.info);
  }
  if (biasGradient) {
    const dbias = ctx.output([nOut]);
    runtime.run('sumRows', [ctx.at('dy'), batch, nOut, dbias.at], runtime.partsFor(batch * nOut));
    outputs.push(dbias.info);
  }
  if (inputGradient) {
    const dxT = temporary(ctx, [nIn, batch]);
    runtime.run('compressedMatMulTransposed', [ctx.at('rowPtr'), ctx.at('cols'), ctx.at('vals'), nIn, dyT.at, batch, dxT.at], runtime.partsFor(2 * nnz * batch));
    const dx = ctx.output([batch, nIn]);
    transpose(ctx, dxT.at, nIn, batch, dx.at);
    dxT.free();
    outputs.push(dx.info);
  }
  dyT.free();
  return outputs;
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

export const COMPRESSED_KERNEL_CONFIGS = [compressedDense, compressedDenseGrad, sumLeadingAxes];
