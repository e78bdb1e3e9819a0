import { count } from './report/format.js';
import type { DatasetName } from './names.js';

export interface DatasetInfo {
  name: DatasetName;
  label: string;
  /** Height, width, channels of one image. */
  imageShape: [number, number, number];
  classes: number;
  trainSize: number;
  testSize: number;
}

export const DATASET_INFO: Record<DatasetName, DatasetInfo> = {
  mnist: { name: 'mnist', label: 'MNIST', imageShape: [28, 28, 1], classes: 10, trainSize: 60000, testSize: 10000 },
  'fashion-mnist': {
    name: 'fashion-mnist',
    label: 'Fashion-MNIST',
    imageShape: [28, 28, 1],
    classes: 10,
    trainSize: 60000,
    testSize: 10000,
  },
  cifar10: { name: 'cifar10', label: 'CIFAR-10', imageShape: [32, 32, 3], classes: 10, trainSize: 50000, testSize: 10000 },
  cifar100: {
    name: 'cifar100',
    label: 'CIFAR-100',
    imageShape: [32, 32, 3],
    classes: 100,
    trainSize: 50000,
    testSize: 10000,
  },
};

/** Examples left for training once the validation split is held out. */
export function trainingExamples(dataset: DatasetName, validationFraction: number, limit?: number): number {
  const all = limit === undefined ? DATASET_INFO[dataset].trainSize : Math.min(limit, DATASET_INFO[dataset].trainSize);
  return all - Math.round(all * validationFraction);
}

/**
 * Why a run cannot train on a copy of its dataset holding `trainCount` training images (a partial
 * archive, say): its plan counts on the full set, or on its train subset. Null when it can.
 */
export function tooFewExamples(config: { dataset: DatasetName; trainSubset?: number | undefined }, trainCount: number): string | null {
  const { label, trainSize } = DATASET_INFO[config.dataset];
  const wanted = Math.min(config.trainSubset ?? trainSize, trainSize);
  if (trainCount >= wanted) return null;
  const asked = config.trainSubset === undefined ? `the full set's ${count(trainSize)}` : `its train subset of ${count(wanted)}`;
  return `${label} on this machine holds ${count(trainCount)} training images, fewer than ${asked}: set the train subset to ${count(trainCount)} or fewer, or import the complete archive`;
}

/** What an experiment trains, as its default name begins: "Fashion-MNIST · mlp". */
export function dataAndModel(dataset: DatasetName, model: string): string {
  return `${DATASET_INFO[dataset].label} · ${model}`;
}
