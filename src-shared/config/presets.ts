import type { ExperimentSpecInput } from './experiment.js';

export interface Preset {
  id: string;
  label: string;
  description: string;
  spec: ExperimentSpecInput;
}

const ALL_METHODS = ['dense', 'static', 'set', 'snfs', 'rigl', 'pruning'] as const;

/**
 * Starting points in the experiment form. The CIFAR ones are the reproducibility report's recipes
 * (spec §4) and take days on one GPU; the Fashion-MNIST one finishes on a laptop CPU in minutes.
 */
export const PRESETS: Preset[] = [
  {
    id: 'cifar10-wrn22-2',
    label: 'CIFAR-10 · WRN-22-2 (report recipe)',
    description:
      'Every method at 80% and 90% sparsity with ERK on WRN-22-2: 250 epochs, batch 128, Nesterov SGD, lr 0.1 ×0.2 every 30k steps, weight decay 5e-4, dropout 0.3.',
    spec: {
      name: 'CIFAR-10 WRN-22-2 methods',
      tags: ['cifar10', 'report'],
      preset: 'cifar10-wrn22-2',
      base: { dataset: 'cifar10', model: 'wrn-22-2', distribution: 'erk' },
      grid: { method: [...ALL_METHODS], sparsity: [0.8, 0.9], seed: [0] },
    },
  },
  {
    id: 'cifar100-resnet50',
    label: 'CIFAR-100 · ResNet-50 (report recipe)',
    description:
      'Every method at 80% and 90% sparsity with ERK on ResNet-50 (CIFAR stem): lr 0.1 ×0.2 every 20k steps, 1,760 warm-up steps, weight decay 1e-4, label smoothing 0.1.',
    spec: {
      name: 'CIFAR-100 ResNet-50 methods',
      tags: ['cifar100', 'report'],
      preset: 'cifar100-resnet50',
      base: { dataset: 'cifar100', model: 'resnet50', distribution: 'erk' },
      grid: { method: [...ALL_METHODS], sparsity: [0.8, 0.9], seed: [0] },
    },
  },
  {
    id: 'fashion-mnist-quick',
    label: 'Fashion-MNIST · LeNet-300-100 (quick)',
    description: 'Dense, static and RigL at 80% and 90% uniform sparsity, 5 epochs with a cosine schedule: minutes on a CPU.',
    spec: {
      name: 'Fashion-MNIST quick',
      tags: ['fashion-mnist', 'quick'],
      preset: 'fashion-mnist-quick',
      base: { dataset: 'fashion-mnist', model: 'mlp', distribution: 'uniform', epochs: 5 },
      grid: { method: ['dense', 'static', 'rigl'], sparsity: [0.8, 0.9], seed: [0] },
    },
  },
];
