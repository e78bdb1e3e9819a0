import { Worker } from 'node:worker_threads';

/** What one thread saw while it read the clock as fast as it could. */
interface SpinReport {
  ms: number;
  /** Gaps between two consecutive clock reads longer than STOP_MS: the thread was not running. */
  stops: number;
  stoppedMs: number;
}

/** A gap longer than this is the thread being stopped (a clock read takes well under 1 µs). */
const STOP_MS = 0.02;

/**
 * Reads the clock for `ms` and adds up the stops. Self-contained: the worker runs its source.
 */
function spin(ms: number): SpinReport {
  const end = performance.now() + ms;
  let last = performance.now();
  let stops = 0;
  let stoppedMs = 0;
  for (let now = last; now < end; now = performance.now()) {
    if (now - last > STOP_MS) {
      stops++;
      stoppedMs += now - last;
    }
    last = now;
  }
  return { ms, stops, stoppedMs };
}

/**
 * Two threads (this one and a worker, as the kernels run on two cores) each read the clock for
 * `ms` at the same time: the share of their time in which the machine stopped them, and how often.
 * A training step whose kernels synchronise both threads a dozen times waits for every such stop
 * of either thread, so this is the condition under which the step times were taken.
 */
export async function threadInterruptions(ms = 1000): Promise<{ lostShare: number; stopsPerMs: number; meanStopMs: number }> {
  const source = `const STOP_MS = ${STOP_MS};\n${spin.toString()}\nrequire('node:worker_threads').parentPort.postMessage(spin(${ms}));`;
  const worker = new Worker(source, { eval: true, execArgv: [] });
  const other = new Promise<SpinReport>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  const mine = spin(ms);
  const theirs = await other;
  await worker.terminate();
  const stops = mine.stops + theirs.stops;
  const stoppedMs = mine.stoppedMs + theirs.stoppedMs;
  return { lostShare: stoppedMs / (mine.ms + theirs.ms), stopsPerMs: stops / (mine.ms + theirs.ms), meanStopMs: stops === 0 ? 0 : stoppedMs / stops };
}
