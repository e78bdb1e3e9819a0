import type * as tf from '@tensorflow/tfjs-core';

/**
 * The window geometry as the first fields of ConvArgs and PoolArgs (kernels/assembly/conv.as,
 * pooling.as): batch, input height, width and channels, output height, width and channels,
 * window height and width, strides, top and left padding.
 */
export function geometryFields(info: tf.backend_util.Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
