import * as tf from '@tensorflow/tfjs-core';
import type { Module } from './nn/module.js';
import type { Sgd } from './optimizer.js';
import type { SparsityController } from './sparse/controller.js';

/**
 * Every tensor a training run carries from one step to the next, as plain arrays keyed by name:
 * weights, BatchNorm statistics, momentum and masks. Checkpoints are this plus counters and
 * random-number states; restoring it and replaying the same batches gives the same numbers.
 */
export interface TensorState {
  params: Record<string, Float32Array>;
  buffers: Record<string, Float32Array>;
  velocity: Record<string, Float32Array>;
  /** Mask of each masked kernel, by parameter name. */
  masks: Record<string, Uint8Array>;
}

const copy = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync() as Float32Array);

export function captureTensors(network: Module, optimizer: Sgd, sparsity: SparsityController): TensorState {
  const state: TensorState = { params: {}, buffers: {}, velocity: {}, masks: {} };
  for (const p of network.params()) state.params[p.name] = copy(p.value);
  for (const b of network.buffers()) state.buffers[b.name] = copy(b.value);
  for (const name of optimizer.velocity.keys()) state.velocity[name] = optimizer.denseVelocity(name)!;
  for (const [name, m] of sparsity.masks) state.masks[name] = m.mask.slice();
  return state;
}

/** Puts a captured state back into a freshly built network of the same architecture. */
export function restoreTensors(state: TensorState, network: Module, optimizer: Sgd, sparsity: SparsityController): void {
  const take = <T>(record: Record<string, T>, name: string, what: string): T => {
    const value = record[name];
    if (value === undefined) throw new Error(`the checkpoint has no ${what} "${name}": it was written for another model`);
    return value;
  };
  const replace = (t: tf.Tensor, values: Float32Array, name: string): tf.Tensor => {
    if (values.length !== t.size) throw new Error(`checkpoint tensor "${name}" has ${values.length} values, the model needs ${t.size}`);
    const next = tf.keep(tf.tensor(values, t.shape, 'float32'));
    t.dispose();
    return next;
  };
  for (const p of network.params()) p.value = replace(p.value, take(state.params, p.name, 'parameter'), p.name);
  for (const b of network.buffers()) b.value = replace(b.value, take(state.buffers, b.name, 'buffer'), b.name);
  optimizer.dispose();
  for (const [name, values] of Object.entries(state.velocity)) {
    const param = network.params().find((p) => p.name === name);
    if (!param) throw new Error(`the checkpoint has momentum for "${name}", which this model does not have`);
    optimizer.velocity.set(name, tf.keep(tf.tensor(values, param.value.shape, 'float32')));
  }
  for (const [name, mask] of sparsity.masks) mask.set(take(state.masks, name, 'mask'));
  sparsity.recompress();
}
