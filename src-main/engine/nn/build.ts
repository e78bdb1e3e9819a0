import * as tf from '@tensorflow/tfjs-core';
import type { LayerSpec, ModelSpec } from '../../../src-shared/models/spec.js';
import type { Random } from '../../../src-shared/random.js';
import { Dropout, Flatten, GlobalAvgPool, MaxPool, Relu } from './activation.js';
import { BatchNorm } from './batchnorm.js';
import { Residual, Sequential } from './container.js';
import { Conv2D } from './conv.js';
import { Dense } from './dense.js';
import type { Module } from './module.js';

/** He-normal initial weights (std √(2 / fan_in)), drawn from the run's seeded stream. */
function heNormal(shape: number[], fanIn: number, rng: Random): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const std = Math.sqrt(2 / fanIn);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
  return values;
}

/**
 * Builds one layer; `inputGradient` false for the network's first weighted layer, `relu` for a
 * dense layer that takes in the ReLU after it.
 */
function buildLayer(spec: LayerSpec, rng: Random, inputGradient = true, relu = false): Module {
  switch (spec.kind) {
    case 'conv': {
      const [kh, kw, cIn, cOut] = spec.kernel;
      const kernel = tf.keep(tf.tensor4d(heNormal(spec.kernel, kh * kw * cIn, rng), spec.kernel));
      const bias = spec.bias ? tf.keep(tf.zeros([cOut]) as tf.Tensor1D) : null;
      return new Conv2D(spec.name, kernel, bias, spec.stride, spec.padding, inputGradient);
    }
    case 'dense': {
      const [nIn, nOut] = spec.kernel;
      const kernel = tf.keep(tf.tensor2d(heNormal(spec.kernel, nIn, rng), spec.kernel));
      const bias = spec.bias ? tf.keep(tf.zeros([nOut]) as tf.Tensor1D) : null;
      return new Dense(spec.name, kernel, bias, { inputGradient, relu });
    }
    case 'batchnorm':
      return new BatchNorm(spec.name, spec.channels);
    case 'relu':
      return new Relu();
    case 'maxpool':
      return new MaxPool(spec.size, spec.stride);
    case 'globalavgpool':
      return new GlobalAvgPool();
    case 'flatten':
      return new Flatten();
    case 'dropout':
      return new Dropout(spec.rate);
    case 'residual':
      return new Residual(buildSequential(spec.main, rng), buildSequential(spec.shortcut, rng));
  }
}

/**
 * The modules of `layers` in order, a dense layer and the ReLU after it built as one (its
 * compressed form applies the ReLU in the same pass), and a ReLU followed by max-pooling built
 * pooling first: the ReLU is monotonic, so the values and the gradient are the same, and it then
 * runs over a quarter of the elements (LeNet-5's 24×24×20 maps). One exception: pooling never
 * lets NaN win, so a window holding only NaNs gives 0 where the spec's order gives −∞. The layer
 * at `firstWeighted` is built without an input gradient.
 */
function buildSequential(layers: LayerSpec[], rng: Random, firstWeighted = -1): Sequential {
  const modules: Module[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const next = layers[i + 1];
    if (layer.kind === 'relu' && next?.kind === 'maxpool') {
      modules.push(buildLayer(next, rng), new Relu());
      i++;
      continue;
    }
    const fusesRelu = layer.kind === 'dense' && next?.kind === 'relu';
    modules.push(buildLayer(layer, rng, i !== firstWeighted, fusesRelu));
    if (fusesRelu) i++;
  }
  return new Sequential(modules);
}

const PARAMETER_FREE: ReadonlySet<LayerSpec['kind']> = new Set(['relu', 'maxpool', 'globalavgpool', 'flatten', 'dropout']);

export interface BuildOptions {
  /**
   * Whether backward() returns dL/d(images). Training never needs it, so by default the first
   * weighted layer (preceded by parameter-free layers only) skips computing it.
   */
  inputGradient?: boolean;
}

/** Tensors for every layer of the spec, initialised in layer order from `rng`. */
export function buildNetwork(spec: ModelSpec, rng: Random, options: BuildOptions = {}): Sequential {
  const first = spec.layers.findIndex((l) => !PARAMETER_FREE.has(l.kind));
  const skipsInput = options.inputGradient !== true && (spec.layers[first]?.kind === 'dense' || spec.layers[first]?.kind === 'conv');
  return buildSequential(spec.layers, rng, skipsInput ? first : -1);
}
