/**
 * `Random.derive` stream numbers of the data layer. Each purpose has its own stream, so e.g. the
 * data order is the same with augmentation on or off; other parts of a run use other numbers.
 */
export const DATA_STREAMS = {
  validationSplit: 101,
  order: 102,
  augmentation: 103,
} as const;
