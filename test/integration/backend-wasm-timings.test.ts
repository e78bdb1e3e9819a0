import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';

/**
 * The three convolution kernels of a training step at full model sizes on wasm. Correctness at
 * these sizes is checked through the adjoint identity ⟨conv(x,W), dy⟩ = ⟨W, dW(x,dy)⟩ =
 * ⟨x, dX(dy,W)⟩ (the cpu kernels would take minutes here); times are printed, not asserted.
 */
const SHAPES = [
  { label: 'LeNet-5 conv2', x: [128, 12, 12, 20], filter: [5, 5, 20, 50], strides: 1, pad: 'valid' },
  { label: 'WRN-10-2 middle conv', x: [64, 16, 16, 64], filter: [3, 3, 64, 64], strides: 1, pad: 'same' },
] as const;

const rng = new Random(7);
function randomTensor(shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => rng.normal()), [...shape]);
}

function dot(a: tf.Tensor, b: tf.Tensor): number {
  const u = a.dataSync();
  const v = b.dataSync();
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

/** Median wall time of `runs` calls after one warm-up, reading the result back each time. */
function medianMs(run: () => tf.Tensor, runs = 3): number {
  run().dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = run();
    result.dataSync();
    times.push(performance.now() - start);
    result.dispose();
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('convolution kernels on wasm at model sizes', () => {
  it.each(SHAPES)('$label', ({ label, x: xShape, filter: filterShape, strides, pad }) => {
    const x = randomTensor(xShape);
    const w = randomTensor(filterShape);
    const convAttrs = { strides, pad, dataFormat: 'NHWC', dilations: 1 };
    const forward = () => tf.engine().runKernel('Conv2D', { x, filter: w }, convAttrs) as tf.Tensor;
    const y = forward();
    const dy = randomTensor(y.shape);
    const backpropInput = () =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape: [...xShape] }) as tf.Tensor;
    const backpropFilter = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: [...filterShape] }) as tf.Tensor;

    const dx = backpropInput();
    const dw = backpropFilter();
    const reference = dot(y, dy);
    expect(Math.abs(dot(w, dw) - reference) / Math.abs(reference)).toBeLessThan(1e-4);
    expect(Math.abs(dot(x, dx) - reference) / Math.abs(reference)).toBeLessThan(1e-4);

    const times = { forward: medianMs(forward), backpropInput: medianMs(backpropInput), backpropFilter: medianMs(backpropFilter) };
    console.log(
      `${label} [${xShape.join('x')}] * [${filterShape.join('x')}] on wasm: Conv2D ${times.forward.toFixed(1)} ms, ` +
        `Conv2DBackpropInput ${times.backpropInput.toFixed(1)} ms, Conv2DBackpropFilter ${times.backpropFilter.toFixed(1)} ms`,
    );
    tf.dispose([x, w, y, dy, dx, dw]);
  });
});
