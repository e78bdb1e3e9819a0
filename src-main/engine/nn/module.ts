import type * as tf from '@tensorflow/tfjs-core';

/** A trainable tensor with the gradient its layer's last backward pass produced. */
export interface Param {
  /** Unique in the model, e.g. `group1.block1.conv1.kernel`. */
  name: string;
  /** For masked kernels, the layer name the mask and the reports use. */
  layer: string;
  value: tf.Tensor;
  grad: tf.Tensor | null;
  /** Weight decay applies to conv and dense kernels, never to biases or BatchNorm. */
  decay: boolean;
  /** Conv and dense kernels are the tensors sparse methods mask. */
  maskable: boolean;
}

/** Non-trainable state a layer keeps between steps (BatchNorm running statistics). */
export interface Buffer {
  name: string;
  value: tf.Tensor;
}

export interface ForwardContext {
  training: boolean;
  /** Source of dropout masks; a fresh seed per call keeps runs reproducible. */
  nextSeed: () => number;
  /**
   * Whether this step needs the gradient of every kernel position, active or not (RigL's update
   * steps, SNFS's dense momentum). Layers that train on compressed weights skip it otherwise.
   */
  denseGradients: boolean;
}

/**
 * A layer with a hand-written backward pass. forward() keeps what backward() needs; both run
 * inside the same tf.tidy, so the cached tensors live exactly one step.
 */
export interface Module {
  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /**
   * Takes dL/dy, sets the grads of this module's params and returns dL/dx, or null from a layer
   * built without an input gradient (the network's first weighted layer: nothing consumes dL/dx
   * of the images, and for a convolution it costs as much as the filter gradient).
   */
  backward(dy: tf.Tensor): tf.Tensor | null;
  /**
   * Whether forward() takes activations in batch chunks (batch-chunks.ts) as they are; backward()
   * then returns dL/dx in the layout x came in (not necessarily marked). Without it a module gets
   * them batch-major.
   */
  takesBatchChunks?(): boolean;
  params(): Param[];
  buffers(): Buffer[];
}
