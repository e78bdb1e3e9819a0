import { formatDuration } from './format.js';

const WIDTH = 28;

/**
 * A one-line progress bar redrawn in place on a terminal: steps, epoch, loss, accuracy,
 * throughput and time left.
 */
export class ProgressBar {
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(
    private readonly write: (text: string) => void,
    private readonly label: string,
  ) {}

  update(p: { step: number; totalSteps: number; epoch: number; loss: number; accuracy: number; examplesPerSecond: number }, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const fraction = Math.min(1, p.step / p.totalSteps);
    const filled = Math.round(fraction * WIDTH);
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : null;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    this.write(
      `\r\x1b[2K${this.label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ` +
        `ep ${p.epoch.toFixed(2)} loss ${p.loss.toFixed(4)} acc ${(p.accuracy * 100).toFixed(1)}% ` +
        `${Math.round(p.examplesPerSecond)} img/s ETA ${formatDuration(eta)}`,
    );
  }

  /** A line kept above the bar (an epoch's test accuracy); the bar is drawn again at the next update. */
  note(text: string): void {
    this.write(`\r\x1b[2K${text}\n`);
    this.lastDraw = 0;
  }

  done(text: string): void {
    this.write(`\r\x1b[2K${text}\n`);
  }
}
