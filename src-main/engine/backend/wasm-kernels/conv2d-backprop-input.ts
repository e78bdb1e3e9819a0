import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { composeWasmKernels } from './composite.js';

/**
 * Conv2DBackpropInput for the wasm backend, replacing the package's naive loop (about 10× a
 * forward convolution at our models' sizes).
 *
 * The input gradient is a stride-1 convolution of dy with the filter rotated by 180° and its
 * channel axes swapped: dx[ih] = Σ_kh z[ih + top − kh]·W[kh], where z is dy with s − 1 zeros
 * inserted between neighbours for stride s (so each output row lands on the input row it came
 * from). Flipping kh turns that sum into the correlation XNNPACK's Conv2D computes, padded by
 * k − 1 − top in front; the back padding makes the result exactly the input size, and where it
 * would be negative (the forward pass never reached the last rows) z is cut instead.
 */
export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => conv2dBackpropInput(inputs, backend, attrs),
};

function conv2dBackpropInput(inputs: NamedTensorInfoMap, backend: object, attrs: NamedAttrMap | undefined): TensorInfo {
  const { dy, filter } = inputs;
  if (dy === undefined || filter === undefined) throw new Error('Conv2DBackpropInput (wasm): needs inputs dy and filter');
  // The attributes tfjs-core's conv2d gradient passes for this kernel name.
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropInput (wasm): dataFormat ${dataFormat} is not supported, only NHWC`);
  if (filter.shape.length !== 4) throw new Error(`Conv2DBackpropInput (wasm): filter must be rank 4, got shape [${filter.shape.join(', ')}]`);
  const filterShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inHeight, inWidth, outChannels } = info;
  const { top, left } = info.padInfo;
  // Length of dy along an axis once zeros are inserted (stride − 1 after every row, the last included).
  const zHeight = outHeight * strideHeight;
  const zWidth = outWidth * strideWidth;
  const front = [filterHeight - 1 - top, filterWidth - 1 - left] as const;
  const back = [inHeight - zHeight - front[0] + filterHeight - 1, inWidth - zWidth - front[1] + filterWidth - 1] as const;

  return composeWasmKernels('Conv2DBackpropInput', backend, (step, last) => {
    let z = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      const split = step('Reshape', { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] });
      const padded = step('PadV2', { x: split }, {
        paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0], [0, strideWidth - 1], [0, 0]],
        constantValue: 0,
      });
      z = step('Reshape', { x: padded }, { shape: [batchSize, zHeight, zWidth, outChannels] });
    }
    if (back[0] < 0 || back[1] < 0) {
      z = step('Slice', { x: z }, { begin: [0, 0, 0, 0], size: [-1, zHeight + Math.min(0, back[0]), zWidth + Math.min(0, back[1]), -1] });
    }
    const flipped = step('Reverse', { x: filter }, { dims: [0, 1] });
    const rotated = step('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
    const explicitPad: tf.backend_util.ExplicitPadding = [[0, 0], [front[0], Math.max(0, back[0])], [front[1], Math.max(0, back[1])], [0, 0]];
    return last('Conv2D', { x: z, filter: rotated }, { strides: 1, pad: explicitPad, dataFormat: 'NHWC', dilations: 1 });
  });
}
