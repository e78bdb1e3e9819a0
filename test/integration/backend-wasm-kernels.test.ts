import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '../../src-shared/random.js';
import { selectBackend } from '../../src-main/engine/backend/select-backend.js';
import { kernelRuntime, type KernelName } from '../../src-main/engine/kernels/kernel-runtime.js';
import { runsDirect, type ConvPass } from '../../src-main/engine/backend/wasm-kernels/sparse-conv.js';
import { relativeError } from '../helpers/compare.js';

type Array4 = [number, number, number, number];
interface HostTensor {
  data: Float32Array;
  shape: number[];
}

const rng = new Random(20240611);
function randomTensor(shape: number[]): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: Float32Array.from({ length: size }, () => rng.normal()), shape };
}

/** Our wasm kernels (kernel-runtime.ts) that the last runKernel on wasm called, pinned ones first: empty when it went to the package's kernel. */
let ourKernelsRun: KernelName[] = [];

/** Runs one kernel on a backend and reads the result back; `prepare` may add inputs computed on that backend. */
async function runKernel(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
  prepare?: (tensors: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
): Promise<Float32Array> {
  await selectBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, tf.tensor(t.data, t.shape)]));
  const all = prepare === undefined ? tensors : { ...tensors, ...prepare(tensors) };
  const runtime = backend === 'wasm' ? kernelRuntime(tf.backend() as BackendWasm) : null;
  const spies = runtime === null ? [] : [vi.spyOn(runtime, 'runPinned'), vi.spyOn(runtime, 'run')];
  let result: tf.Tensor;
  try {
    result = tf.engine().runKernel(kernelName, all, attrs) as tf.Tensor;
  } finally {
    if (runtime !== null) {
      ourKernelsRun = spies.flatMap((spy) => spy.mock.calls.map((call) => call[0]));
      for (const spy of spies) spy.mockRestore();
    }
  }
  const values = (await result.data()) as Float32Array;
  tf.dispose([result, ...Object.values(all)]);
  return values;
}

async function compareWithCpu(
  kernelName: string,
  inputs: Record<string, HostTensor>,
  attrs: NamedAttrMap,
  prepare?: (tensors: Record<string, tf.Tensor>) => Record<string, tf.Tensor>,
): Promise<number> {
  const expected = await runKernel('cpu', kernelName, inputs, attrs, prepare);
  const actual = await runKernel('wasm', kernelName, inputs, attrs, prepare);
  return relativeError(actual, expected);
}

beforeAll(async () => {
  await selectBackend('wasm');
});

interface FilterCase {
  label: string;
  x: Array4;
  filter: Array4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

const FILTER_CASES: FilterCase[] = [
  ...[1, 2, 5, 8].map((b): FilterCase => ({ label: `LeNet conv1, batch ${b}`, x: [b, 28, 28, 1], filter: [5, 5, 1, 20], strides: 1, pad: 'valid' })),
  ...[1, 3, 8].map((b): FilterCase => ({ label: `CIFAR stem, batch ${b}`, x: [b, 32, 32, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' })),
  ...[1, 4, 8].map((b): FilterCase => ({ label: `WRN downsampling, batch ${b}`, x: [b, 16, 16, 32], filter: [3, 3, 32, 64], strides: 2, pad: 'same' })),
  { label: '1x1 shortcut, stride 2, same', x: [4, 16, 16, 32], filter: [1, 1, 32, 64], strides: 2, pad: 'same' },
  { label: '1x1 shortcut, stride 2, valid', x: [4, 16, 16, 32], filter: [1, 1, 32, 64], strides: 2, pad: 'valid' },
  { label: '7x7, k3, stride 2, same', x: [3, 7, 7, 5], filter: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { label: '7x7, k5, stride 1, same', x: [2, 7, 7, 4], filter: [5, 5, 4, 3], strides: 1, pad: 'same' },
  { label: '7x7, k3, stride 1, valid', x: [2, 7, 7, 4], filter: [3, 3, 4, 3], strides: 1, pad: 'valid' },
  { label: '7x7, 1x1, stride 2, valid', x: [2, 7, 7, 4], filter: [1, 1, 4, 3], strides: 2, pad: 'valid' },
  { label: '8x8, k3, stride 2, valid (last row unused)', x: [2, 8, 8, 4], filter: [3, 3, 4, 3], strides: 2, pad: 'valid' },
  { label: '9x6, k3, strides [1, 2], same', x: [2, 9, 6, 4], filter: [3, 3, 4, 3], strides: [1, 2], pad: 'same' },
  { label: 'numeric pad 1, k3', x: [2, 9, 9, 4], filter: [3, 3, 4, 5], strides: 1, pad: 1 },
  { label: 'explicit pads, k3, stride 2', x: [2, 9, 9, 4], filter: [3, 3, 4, 5], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // Stride 1 and more than one batch chunk, with fewer than 4 input channels (every pass) or fewer
  // than 8 (forward and the input gradient): the direct kernels of sparse-conv.ts.
  { label: 'LeNet conv1, batch 40 (direct)', x: [40, 28, 28, 1], filter: [5, 5, 1, 20], strides: 1, pad: 'valid' },
  { label: 'CIFAR stem, batch 33 (direct)', x: [33, 32, 32, 3], filter: [3, 3, 3, 16], strides: 1, pad: 'same' },
  { label: '4x4 kernel, same (uneven padding), batch 34 (direct)', x: [34, 6, 6, 3], filter: [4, 4, 3, 4], strides: 1, pad: 'same' },
  { label: 'explicit pads wider than the kernel, batch 35 (direct)', x: [35, 5, 5, 3], filter: [3, 3, 3, 4], strides: 1, pad: [[0, 0], [3, 3], [3, 3], [0, 0]] },
  { label: 'output rows of 3, batch 65 (filter gradient dense)', x: [65, 5, 5, 7], filter: [3, 3, 7, 9], strides: 1, pad: 'valid' },
  { label: 'classic LeNet-5 conv2, batch 40 (filter gradient dense)', x: [40, 14, 14, 6], filter: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  { label: 'classic LeNet-5 conv1, batch 40 (direct)', x: [40, 28, 28, 1], filter: [5, 5, 1, 6], strides: 1, pad: 'same' },
  // 3 rows at the padded width 11: 33 floats, tiles of 32 (compressed) or 16 (dense) and one more, whose reads run kw − 1 floats past the image.
  { label: '5x11, k3, valid, batch 65 (direct, last tile past the image)', x: [65, 5, 11, 2], filter: [3, 3, 2, 15], strides: 1, pad: 'valid' },
];

/**
 * 3×3 stride-1 convolutions with at least 8 input channels and channel counts that are multiples
 * of 4, whose three passes run by Winograd's F(2×2, 3×3) (winograd.as): output sizes odd and
 * even, every kind of padding, a last B panel half used (12 and 20 channels), and more tiles than
 * one block of one part holds.
 */
const WINOGRAD_CASES: FilterCase[] = [
  { label: 'Winograd, odd output, same', x: [3, 7, 9, 8], filter: [3, 3, 8, 12], strides: 1, pad: 'same' },
  { label: 'Winograd, valid (7×6 output)', x: [2, 9, 8, 12], filter: [3, 3, 12, 8], strides: 1, pad: 'valid' },
  { label: 'Winograd, uneven explicit pads', x: [2, 6, 7, 16], filter: [3, 3, 16, 20], strides: 1, pad: [[0, 0], [2, 0], [0, 2], [0, 0]] },
  { label: 'Winograd, 1×1 output', x: [2, 3, 3, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'valid' },
  { label: 'Winograd, many blocks and parts', x: [9, 16, 16, 32], filter: [3, 3, 32, 32], strides: 1, pad: 'same' },
  { label: 'Winograd, WRN group 3', x: [2, 8, 8, 128], filter: [3, 3, 128, 128], strides: 1, pad: 'same' },
];

/** Whether our kernels run a pass of a case on the direct kernels of sparse-conv.ts. */
function direct({ x, filter, strides, pad }: Omit<FilterCase, 'label'>, pass: ConvPass): boolean {
  return runsDirect(tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad), pass);
}

describe('which passes of a dense convolution run on the direct kernels', () => {
  const passes = (x: Array4, filter: Array4, pad: 'same' | 'valid' = 'valid') =>
    (['forward', 'filterGradient', 'inputGradient'] as const).filter((pass) => direct({ x, filter, strides: 1, pad }, pass));

  it('follows the measured break-evens: every pass below 4 input channels, forward and the input gradient below 8', () => {
    expect(passes([128, 28, 28, 1], [5, 5, 1, 20])).toEqual(['forward', 'filterGradient', 'inputGradient']);
    expect(passes([64, 32, 32, 3], [3, 3, 3, 16], 'same')).toEqual(['forward', 'filterGradient', 'inputGradient']);
    expect(passes([128, 14, 14, 4], [5, 5, 4, 16])).toEqual(['forward', 'inputGradient']);
    expect(passes([128, 14, 14, 6], [5, 5, 6, 16])).toEqual(['forward', 'inputGradient']);
    expect(passes([128, 12, 12, 8], [5, 5, 8, 16])).toEqual([]);
  });

  it('never over one batch chunk (one thread) or at stride 2', () => {
    expect(passes([32, 28, 28, 1], [5, 5, 1, 20])).toEqual([]);
    expect(['forward', 'filterGradient', 'inputGradient'].some((pass) => direct({ x: [128, 28, 28, 1], filter: [5, 5, 1, 20], strides: 2, pad: 'valid' }, pass as ConvPass))).toBe(false);
  });
});

describe('Conv2DBackpropFilter on wasm matches the cpu kernel', () => {
  it.each([...FILTER_CASES, ...WINOGRAD_CASES])('$label', async ({ x, filter, strides, pad }) => {
    const outShape = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad).outShape;
    const inputs = { x: randomTensor(x), dy: randomTensor(outShape) };
    const attrs = { strides, pad, dataFormat: 'NHWC', filterShape: filter } as unknown as NamedAttrMap;
    expect(await compareWithCpu('Conv2DBackpropFilter', inputs, attrs)).toBeLessThan(1e-4);
    expect(ourKernelsRun).toEqual(direct({ x, filter, strides, pad }, 'filterGradient') ? ['denseConvFilterGrad', 'sumPartials'] : ['conv2dFilterGrad', 'conv2dFilterGradSum']);
  });

  it('gives a hand-checked result', async () => {
    // x = 1..9 in a 3x3 image, dy = 1 everywhere, 2x2 valid: each filter tap sums the 2x2
    // window it sees: 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const dy = tf.ones([1, 2, 2, 1]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [2, 2, 1, 1] });
    expect(Array.from(await (dw as tf.Tensor).data())).toEqual([12, 16, 24, 28]);
    tf.dispose([x, dy, dw as tf.Tensor]);
  });

  it.each([
    { label: 'stride 2', batch: 2, strides: 2, dyHW: 3 },
    { label: 'stride 1, batch 40 (direct)', batch: 40, strides: 1, dyHW: 6 },
  ])('frees every intermediate it makes ($label)', ({ batch, strides, dyHW }) => {
    const x = tf.randomNormal([batch, 8, 8, 3]);
    const dy = tf.randomNormal([batch, dyHW, dyHW, 5]);
    const before = tf.backend().numDataIds();
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] });
    expect(tf.backend().numDataIds()).toBe(before + 1);
    tf.dispose([x, dy, dw as tf.Tensor]);
  });

  it('names dy when its shape does not match the convolution', () => {
    const x = tf.zeros([2, 8, 8, 3]);
    const dy = tf.zeros([2, 5, 6, 5]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 3, 5] })).toThrow(
      'Conv2DBackpropFilter: dy has shape [2, 5, 6, 5], expected [2, 6, 6, 5]',
    );
    tf.dispose([x, dy]);
  });

  it('rejects NCHW with a clear error', () => {
    const x = tf.zeros([1, 1, 4, 4]);
    const dy = tf.zeros([1, 1, 2, 2]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] }),
    ).toThrow('dataFormat NCHW is not supported, only NHWC');
    tf.dispose([x, dy]);
  });
});

describe('Conv2DBackpropInput on wasm (our replacement) matches the cpu kernel', () => {
  it.each([
    ...FILTER_CASES,
    ...WINOGRAD_CASES,
    { label: 'LeNet conv2, batch 8', x: [8, 12, 12, 20] as Array4, filter: [5, 5, 20, 50] as Array4, strides: 1, pad: 'valid' as const },
    { label: 'WRN middle', x: [4, 16, 16, 64] as Array4, filter: [3, 3, 64, 64] as Array4, strides: 1, pad: 'same' as const },
    { label: '8x8, k5, stride 2, same', x: [2, 8, 8, 3] as Array4, filter: [5, 5, 3, 4] as Array4, strides: 2, pad: 'same' as const },
    { label: '9x9, k5, stride 2, valid (last row unused)', x: [2, 9, 9, 3] as Array4, filter: [5, 5, 3, 4] as Array4, strides: 2, pad: 'valid' as const },
    { label: '9x9, 1x1, stride 2, same', x: [2, 9, 9, 3] as Array4, filter: [1, 1, 3, 4] as Array4, strides: 2, pad: 'same' as const },
  ])('$label', async ({ x, filter, strides, pad }) => {
    const outShape = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad).outShape;
    const inputs = { dy: randomTensor(outShape), filter: randomTensor(filter) };
    const attrs = { strides, pad, dataFormat: 'NHWC', inputShape: x } as unknown as NamedAttrMap;
    expect(await compareWithCpu('Conv2DBackpropInput', inputs, attrs)).toBeLessThan(1e-4);
    expect(ourKernelsRun).toEqual([direct({ x, filter, strides, pad }, 'inputGradient') ? 'denseConvInputGrad' : 'conv2dInputGrad']);
  });

  it('gives a hand-checked result', async () => {
    // 2x2 filter [1, 2; 3, 4] over a 3x3 image, stride 1 valid, dy = 1 at the top-left output
    // only: the gradient is the filter placed at the top-left corner.
    const dy = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    const filter = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 3, 3, 1] });
    expect(Array.from(await (dx as tf.Tensor).data())).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
    tf.dispose([dy, filter, dx as tf.Tensor]);
  });

  it.each([
    { label: 'stride 2', batch: 2, strides: 2, dyHW: 4 },
    { label: 'stride 1, batch 40 (direct)', batch: 40, strides: 1, dyHW: 7 },
  ])('frees every intermediate it makes ($label)', ({ batch, strides, dyHW }) => {
    const dy = tf.randomNormal([batch, dyHW, dyHW, 5]);
    const filter = tf.randomNormal([3, 3, 3, 5]);
    const before = tf.backend().numDataIds();
    const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides, pad: 'valid', dataFormat: 'NHWC', inputShape: [batch, 9, 9, 3] });
    expect(tf.backend().numDataIds()).toBe(before + 1);
    tf.dispose([dy, filter, dx as tf.Tensor]);
  });
});

describe('the other training kernels on wasm, at our models’ shapes', () => {
  const poolCases = [
    { label: 'LeNet pool1', x: [8, 24, 24, 20], size: 2, strides: 2, pad: 'valid' },
    { label: 'LeNet pool2', x: [8, 8, 8, 50], size: 2, strides: 2, pad: 'valid' },
    { label: 'odd size', x: [3, 7, 7, 4], size: 2, strides: 2, pad: 'valid' },
    { label: 'odd size, 5 channels', x: [3, 7, 7, 5], size: 2, strides: 2, pad: 'valid' },
    { label: 'stride over size', x: [2, 9, 9, 6], size: 2, strides: 3, pad: 'valid' },
    { label: '3x3, stride 2, same', x: [2, 7, 7, 3], size: 3, strides: 2, pad: 'same' },
    { label: '3x3, stride 1, same, 6 channels', x: [2, 5, 6, 6], size: 3, strides: 1, pad: 'same' },
    { label: 'classic LeNet-5 pool2', x: [8, 10, 10, 16], size: 2, strides: 2, pad: 'valid' },
    // Channels past a multiple of four in one more, overlapping vector (5 and 6 above too).
    { label: 'classic LeNet-5 pool1, 6 channels', x: [8, 28, 28, 6], size: 2, strides: 2, pad: 'valid' },
    { label: '7 channels, odd size', x: [3, 9, 7, 7], size: 2, strides: 2, pad: 'valid' },
  ];

  it.each(poolCases)('MaxPool (ours), $label', async ({ x, size, strides, pad }) => {
    expect(await compareWithCpu('MaxPool', { x: randomTensor(x) }, { filterSize: size, strides, pad } as NamedAttrMap)).toBe(0);
  });

  it('MaxPool skips NaN and gives −∞ where a window holds nothing else, in vector and leftover channels', () => {
    // 5 channels: the first four in one vector, the fifth in the last four's; one 2x2 window.
    const values = [NaN, 1, -Infinity, NaN, NaN, 2, NaN, -Infinity, NaN, -Infinity, NaN, -3, -Infinity, NaN, NaN, NaN, NaN, -Infinity, NaN, NaN];
    const x = tf.tensor4d(values, [1, 2, 2, 5]);
    const y = tf.engine().runKernel('MaxPool', { x }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([2, 1, -Infinity, -Infinity, -Infinity]);
    tf.dispose([x, y]);
  });

  it.each(poolCases)('MaxPoolGrad (our replacement), $label', async ({ x, size, strides, pad }) => {
    const attrs = { filterSize: size, strides, pad } as NamedAttrMap;
    const outShape = tf.backend_util.computePool2DInfo(x as Array4, size, strides, 1, pad as 'same' | 'valid').outShape;
    const withOutput = (t: Record<string, tf.Tensor>) => ({ output: tf.engine().runKernel('MaxPool', { x: t['input']! }, attrs) as tf.Tensor });
    const inputs = { input: randomTensor(x), dy: randomTensor(outShape) };
    expect(await compareWithCpu('MaxPoolGrad', inputs, attrs, withOutput)).toBeLessThan(1e-6);
  });

  it('MaxPoolGrad over whole 2×2 windows of 4 channels: the first of tied maxima, NaN never, −∞ windows nothing', () => {
    // One window, taps in row-major order; each row below is one tap's 4 channels.
    const taps = [
      [1, NaN, -5, -Infinity],
      [3, NaN, -2, -Infinity],
      [3, 7, -1, -Infinity],
      [2, NaN, -1, -Infinity],
    ];
    const input = tf.tensor4d(taps.flat(), [1, 2, 2, 4]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const output = tf.engine().runKernel('MaxPool', { x: input }, attrs) as tf.Tensor;
    expect(Array.from(output.dataSync())).toEqual([3, 7, -1, -Infinity]);
    const dy = tf.tensor4d([10, 20, 30, 40], [1, 1, 1, 4]);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs) as tf.Tensor;
    // Channel 0: taps 1 and 2 tie at 3, tap 1 gets it; 1: the only number (tap 2); 2: taps 2 and 3
    // tie at −1, tap 2; 3: nothing beats −∞, no gradient.
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0, 20, 30, 0, 0, 0, 0, 0]);
    tf.dispose([input, output, dy, dx]);
  });

  it('MaxPoolGrad routes the gradient of an all-negative window to its maximum', () => {
    // The package's kernel drops 20: its running maximum starts at the smallest positive float.
    const input = tf.tensor4d([-1, -9, -3, -4, -5, -6, -7, -80, 2, 3, 4, 1, 0, 1, 2, 3], [1, 4, 4, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const output = tf.engine().runKernel('MaxPool', { x: input }, attrs) as tf.Tensor;
    const dy = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, attrs) as tf.Tensor;
    expect(Array.from(dx.dataSync())).toEqual([10, 0, 20, 0, 0, 0, 0, 0, 0, 30, 40, 0, 0, 0, 0, 0]);
    tf.dispose([input, output, dy, dx]);
  });

  it.each([
    { label: 'WRN group 1', x: [8, 32, 32, 32] },
    { label: 'WRN group 3', x: [8, 8, 8, 128] },
  ])('FusedBatchNorm, $label', async ({ x }) => {
    const channels = x[3]!;
    const variance = randomTensor([channels]);
    variance.data.forEach((v, i) => (variance.data[i] = v * v + 0.1));
    const inputs = { x: randomTensor(x), mean: randomTensor([channels]), variance, offset: randomTensor([channels]), scale: randomTensor([channels]) };
    expect(await compareWithCpu('FusedBatchNorm', inputs, { varianceEpsilon: 1e-5 })).toBeLessThan(1e-5);
  });
});

describe('ReLU on wasm (our kernel)', () => {
  it.each([[128, 300], [8, 24, 24, 20], [7]])('matches the cpu kernel, shape %j', async (...shape) => {
    expect(await compareWithCpu('Relu', { x: randomTensor(shape) }, {})).toBe(0);
  });

  it('keeps NaN and −0 as the cpu kernel does', () => {
    const x = tf.tensor1d([NaN, -1, -0, 0, 2, -Infinity, Infinity, -5, NaN]);
    const y = tf.engine().runKernel('Relu', { x }, {}) as tf.Tensor;
    const values = Array.from(y.dataSync());
    expect(values).toEqual([NaN, 0, -0, 0, 2, 0, Infinity, 0, NaN]);
    expect(Object.is(values[2], -0)).toBe(true);
    tf.dispose([x, y]);
  });
});

describe('Conv2D on wasm (our kernel) matches the cpu kernel', () => {
  it.each([
    ...FILTER_CASES,
    ...WINOGRAD_CASES,
    { label: 'LeNet conv2, batch 8', x: [8, 12, 12, 20] as Array4, filter: [5, 5, 20, 50] as Array4, strides: 1, pad: 'valid' as const },
    { label: 'WRN middle', x: [4, 16, 16, 64] as Array4, filter: [3, 3, 64, 64] as Array4, strides: 1, pad: 'same' as const },
    { label: '4x4 kernel, same (uneven padding)', x: [2, 6, 6, 3] as Array4, filter: [4, 4, 3, 4] as Array4, strides: 1, pad: 'same' as const },
    { label: 'stride 3, 4x4 kernel, 9 output channels', x: [2, 7, 7, 3] as Array4, filter: [4, 4, 3, 9] as Array4, strides: 3, pad: 'same' as const },
    { label: 'kernel larger than the image', x: [2, 3, 3, 3] as Array4, filter: [5, 5, 3, 4] as Array4, strides: 1, pad: 'same' as const },
    {
      label: 'padding wider than the kernel',
      x: [2, 5, 5, 3] as Array4,
      filter: [3, 3, 3, 4] as Array4,
      strides: 1,
      pad: [[0, 0], [3, 3], [3, 3], [0, 0]] as tf.backend_util.ExplicitPadding,
    },
  ])('$label', async ({ x, filter, strides, pad }) => {
    const inputs = { x: randomTensor(x), filter: randomTensor(filter) };
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1 } as unknown as NamedAttrMap;
    expect(await compareWithCpu('Conv2D', inputs, attrs)).toBeLessThan(1e-4);
    expect(ourKernelsRun).toEqual([direct({ x, filter, strides, pad }, 'forward') ? 'denseConvForward' : 'conv2d']);
  });

  it('gives a hand-checked result', async () => {
    // x = 1..9 in a 3x3 image, filter [1, 2; 3, 4], valid: 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36.
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const filter = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const y = tf.conv2d(x, filter, 1, 'valid');
    expect(Array.from(await y.data())).toEqual([37, 47, 67, 77]);
    tf.dispose([x, filter, y]);
  });

  it('frees every intermediate it makes', () => {
    const x = tf.randomNormal([2, 9, 9, 3]);
    const filter = tf.randomNormal([3, 3, 3, 5]);
    const before = tf.backend().numDataIds();
    const y = tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same');
    expect(tf.backend().numDataIds()).toBe(before + 1);
    tf.dispose([x, filter, y]);
  });

  it.each([
    { label: 'same', x: [2, 9, 9, 4] as Array4, filter: [3, 3, 4, 5] as Array4, pad: 'same' as const },
    { label: 'valid', x: [2, 11, 10, 3] as Array4, filter: [3, 2, 3, 4] as Array4, pad: 'valid' as const },
  ])('a dilated convolution (dilations 2, $label) goes to the package kernel and still matches', async ({ x, filter, pad }) => {
    const inputs = { x: randomTensor(x), filter: randomTensor(filter) };
    const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 2 } as unknown as NamedAttrMap;
    expect(await compareWithCpu('Conv2D', inputs, attrs)).toBeLessThan(1e-4);
    expect(ourKernelsRun).toEqual([]);
  });
});

interface MatMulCase {
  label: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
  /** Whether our kernel takes it (else the package's does). */
  ours: boolean;
}

/** a [m, k] (or [k, m] transposed) and b [k, n] (or [n, k]) with the given transposes. */
function product(label: string, m: number, k: number, n: number, transposeA = false, transposeB = false, batchA: number[] = [], batchB: number[] = []): MatMulCase {
  return {
    label: `${label}: ${m}x${k} · ${k}x${n}${transposeA ? ', transposeA' : ''}${transposeB ? ', transposeB' : ''}`,
    a: [...batchA, ...(transposeA ? [k, m] : [m, k])],
    b: [...batchB, ...(transposeB ? [n, k] : [k, n])],
    transposeA,
    transposeB,
    ours: true,
  };
}

const TRANSPOSES = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

const MATMUL_CASES: MatMulCase[] = [
  product('LeNet-300-100 fc1, batch 128', 128, 784, 300),
  product('odd', 7, 5, 3),
  product('odd, one row', 1, 9, 10),
  product('odd', 13, 17, 11),
  product('one column', 9, 6, 1),
  ...TRANSPOSES.flatMap(([ta, tb]) => [product('small', 37, 53, 29, ta, tb), product('threaded', 128, 300, 100, ta, tb)]),
  product('batch of 3', 13, 17, 11, false, false, [3], [3]),
  product('batch of 3, threaded', 64, 70, 90, false, false, [3], [3]),
  product('batch of 3', 13, 17, 11, true, true, [3], [3]),
  product('one matrix (rank 2) against a batch of 3', 13, 17, 11, false, false, [], [3]),
  product('a batch of 3 against one matrix (rank 2)', 13, 17, 11, false, false, [3], []),
  product('a batch of 3 against one matrix [1, k, n]', 13, 17, 11, false, true, [3], [1]),
  // Same rank with a single matrix on the left (what tf.matMul makes of a rank-2 a): today
  // matmul.ts takes the batch shape from a and declines, so the package's kernel runs it.
  { ...product('one matrix [1, m, k] against a batch of 3', 13, 17, 11, true, false, [1], [3]), ours: false },
];

describe('BatchMatMul on wasm (our kernel) matches the cpu kernel', () => {
  it.each(MATMUL_CASES)('$label', async ({ a, b, transposeA, transposeB, ours }) => {
    const error = await compareWithCpu('BatchMatMul', { a: randomTensor(a), b: randomTensor(b) }, { transposeA, transposeB });
    expect(error).toBeLessThan(1e-5);
    if (ours) expect(new Set(ourKernelsRun)).toEqual(new Set(['matMul']));
  });

  it('gives the output shape of the batch, and tf.matMul broadcasts both ways', async () => {
    await selectBackend('wasm');
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor3d([5, 6, 7, 8, 1, 0, 0, 1, 0, 1, 1, 0], [3, 2, 2]);
    const left = tf.matMul(a, b);
    expect(left.shape).toEqual([3, 2, 2]);
    // [1, 2; 3, 4] times [5, 6; 7, 8], the identity, and the swap.
    expect(Array.from(await left.data())).toEqual([19, 22, 43, 50, 1, 2, 3, 4, 2, 1, 4, 3]);
    const right = tf.matMul(b, a);
    expect(right.shape).toEqual([3, 2, 2]);
    expect(Array.from(await right.data())).toEqual([23, 34, 31, 46, 1, 2, 3, 4, 3, 4, 1, 2]);
    tf.dispose([a, b, left, right]);
  });

  it('frees every intermediate it makes', () => {
    const a = tf.randomNormal([3, 20, 30]);
    const b = tf.randomNormal([30, 40]);
    const before = tf.backend().numDataIds();
    const c = tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor;
    expect(c.shape).toEqual([3, 20, 40]);
    expect(tf.backend().numDataIds()).toBe(before + 1);
    tf.dispose([a, b, c]);
  });

  it('rejects inner dimensions that differ', () => {
    const a = tf.zeros([4, 5]);
    const b = tf.zeros([6, 3]);
    expect(() => tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false })).toThrow('inner dimensions differ');
    tf.dispose([a, b]);
  });
});

describe('fused products and convolutions with a bias on wasm match the cpu kernels', () => {
  it.each([
    { label: 'FusedConv2D, LeNet conv1 with its bias', kernel: 'FusedConv2D', inputs: { x: [4, 28, 28, 1], filter: [5, 5, 1, 20], bias: [20] }, attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, ours: 'conv2d' },
    { label: 'FusedConv2D, LeNet conv1 with its bias, batch 40 (direct)', kernel: 'FusedConv2D', inputs: { x: [40, 28, 28, 1], filter: [5, 5, 1, 20], bias: [20] }, attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, ours: 'denseConvForward' },
    { label: 'FusedConv2D, 50 channels (not a multiple of 8)', kernel: 'FusedConv2D', inputs: { x: [3, 12, 12, 20], filter: [5, 5, 20, 50], bias: [50] }, attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, ours: 'conv2d' },
    { label: 'FusedConv2D by Winograd, 20 channels (a half-used panel)', kernel: 'FusedConv2D', inputs: { x: [3, 7, 9, 16], filter: [3, 3, 16, 20], bias: [20] }, attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, ours: 'conv2d' },
    { label: 'FusedConv2D with a ReLU (the package’s kernel)', kernel: 'FusedConv2D', inputs: { x: [2, 9, 9, 4], filter: [3, 3, 4, 6], bias: [6] }, attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' }, ours: null },
    { label: '_FusedMatMul, LeNet-300-100 fc1 with its bias', kernel: '_FusedMatMul', inputs: { a: [32, 784], b: [784, 300], bias: [300] }, attrs: { transposeA: false, transposeB: false, activation: 'linear' }, ours: 'matMul' },
    { label: '_FusedMatMul, 10 outputs, transposed B', kernel: '_FusedMatMul', inputs: { a: [17, 100], b: [10, 100], bias: [10] }, attrs: { transposeA: false, transposeB: true, activation: 'linear' }, ours: 'matMul' },
  ])('$label', async ({ kernel, inputs, attrs, ours }) => {
    const host = Object.fromEntries(Object.entries(inputs).map(([name, shape]) => [name, randomTensor(shape)]));
    expect(await compareWithCpu(kernel, host, attrs as unknown as NamedAttrMap)).toBeLessThan(1e-5);
    expect(ourKernelsRun).toEqual(ours === null ? [] : [ours]);
  });
});

describe('Transpose on wasm matches the cpu kernel exactly', () => {
  it.each([
    [37, 53],
    [128, 784],
    [1, 37],
    [37, 1],
    [5, 3],
    [64, 64],
  ])('float32 [%i, %i] (our kernel)', async (rows, cols) => {
    const inputs = { x: randomTensor([rows, cols]) };
    const expected = await runKernel('cpu', 'Transpose', inputs, { perm: [1, 0] });
    const actual = await runKernel('wasm', 'Transpose', inputs, { perm: [1, 0] });
    expect(ourKernelsRun).toEqual(['transpose2d']);
    expect(actual).toEqual(expected);
    // And it is the transpose: out[c, r] = x[r, c].
    expect(actual[cols > 1 ? rows : 0]).toBe(inputs.x.data[cols > 1 ? 1 : 0]);
  });

  it('rank 3 goes to the package’s kernel and still matches', async () => {
    const inputs = { x: randomTensor([4, 7, 6]) };
    for (const perm of [
      [2, 0, 1],
      [0, 2, 1],
      [1, 0, 2],
    ]) {
      const expected = await runKernel('cpu', 'Transpose', inputs, { perm });
      const actual = await runKernel('wasm', 'Transpose', inputs, { perm });
      expect(ourKernelsRun).toEqual([]);
      expect(actual).toEqual(expected);
    }
  });

  it('int32 matrices go to the package’s kernel', async () => {
    await selectBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    const y = tf.transpose(x);
    expect(y.dtype).toBe('int32');
    expect(Array.from(await y.data())).toEqual([1, 4, 2, 5, 3, 6]);
    tf.dispose([x, y]);
  });
});
