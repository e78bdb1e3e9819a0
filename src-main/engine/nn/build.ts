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

function buildLayer(spec: LayerSpec, rng: Random): Module {
  switch (spec.kind) {
    case 'conv': {
      const [kh, kw, cIn, cOut] = spec.kernel;
      const kernel = tf.keep(tf.tensor4d(heNormal(spec.kernel, kh * kw * cIn, rng), spec.kernel));
      const bias = spec.bias ? tf.keep(tf.zeros([cOut]) as tf.Tensor1D) : null;
      return new Conv2D(spec.name, kernel, bias, spec.stride, spec.padding);
    }
    case 'dense': {
      const [nIn, nOut] = spec.kernel;
      const kernel = tf.keep(tf.tensor2d(heNormal(spec.kernel, nIn, rng), spec.kernel));
      const bias = spec.bias ? tf.keep(tf.zeros([nOut]) as tf.Tensor1D) : null;
      return new Dense(spec.name, kernel, bias);
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

function buildSequential(layers: LayerSpec[], rng: Random): Sequential {
  return new Sequential(layers.map((l) => buildLayer(l, rng)));
}

/** Tensors for every layer of the spec, initialised in layer order from `rng`. */
export function buildNetwork(spec: ModelSpec, rng: Random): Sequential {
  return buildSequential(spec.layers, rng);
}
