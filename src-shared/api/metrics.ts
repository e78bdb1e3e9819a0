/**
 * The metric series a run records: per logged step (train_*, lr, examples_per_s, train_flops,
 * elapsed_s) and per epoch (the rest). The runner writes them under these names and the
 * dashboards and the report read them by these names.
 */
export const METRIC = {
  trainLoss: 'train_loss',
  trainAccuracy: 'train_accuracy',
  lr: 'lr',
  examplesPerSecond: 'examples_per_s',
  trainFlops: 'train_flops',
  epochTrainLoss: 'epoch_train_loss',
  epochTrainAccuracy: 'epoch_train_accuracy',
  testLoss: 'test_loss',
  testAccuracy: 'test_accuracy',
  valLoss: 'val_loss',
  valAccuracy: 'val_accuracy',
  epochSeconds: 'epoch_seconds',
  elapsedSeconds: 'elapsed_s',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];

export const METRIC_LABELS: Record<MetricName, string> = {
  train_loss: 'Train loss',
  train_accuracy: 'Train accuracy',
  lr: 'Learning rate',
  examples_per_s: 'Examples / s',
  train_flops: 'Training FLOPs',
  epoch_train_loss: 'Train loss (epoch)',
  epoch_train_accuracy: 'Train accuracy (epoch)',
  test_loss: 'Test loss',
  test_accuracy: 'Test accuracy',
  val_loss: 'Validation loss',
  val_accuracy: 'Validation accuracy',
  epoch_seconds: 'Seconds per epoch',
  elapsed_s: 'Training time (s)',
};

/** Accuracies are fractions and read as percentages. */
export function isAccuracy(name: MetricName): boolean {
  return name.endsWith('accuracy');
}

/**
 * Which series draws a run's training loss (or accuracy): the logged steps', or each epoch's mean
 * where the run logged fewer points than it had epochs (a log interval longer than an epoch left
 * one point, the whole run's mean, at its last step). `counts`: each series' number of points.
 */
export function trainingSeries(counts: ReadonlyMap<string, number>, stepwise: MetricName, perEpoch: MetricName): MetricName {
  return (counts.get(stepwise) ?? 0) < (counts.get(perEpoch) ?? 0) ? perEpoch : stepwise;
}
