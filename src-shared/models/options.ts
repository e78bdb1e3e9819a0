export interface ModelOptions {
  inputShape: [number, number, number];
  classes: number;
  /** Dropout rate where the architecture has a dropout slot; 0 leaves it out. */
  dropout: number;
  /** Scales every hidden width (Small-Dense baselines); 1 is the published architecture. */
  widthMultiplier: number;
}
