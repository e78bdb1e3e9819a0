import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './webassembly-api.js';

/** Slots of the control block shared with the workers. */
const GENERATION = 0;
const KERNEL = 1;
const PARTS = 2;
const ARG_COUNT = 3;
const DONE = 4;
const FAILED = 5;
const CONTROL_SLOTS = 8;
const MAX_ARGS = 16;
/** KERNEL value that tells the workers to stop. */
const STOP = -1;

/**
 * Polls of the control block before sleeping in Atomics.wait. A worker keeps polling for a
 * while after each call because the next one usually follows within a fraction of a
 * millisecond, and waking from Atomics.wait costs tens of microseconds.
 */
const WORKER_SPINS = 200_000;
const CALLER_SPINS = 20_000;

interface WorkerSetup {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  index: number;
  workers: number;
  kernels: readonly string[];
  spins: number;
}

/**
 * The body of every kernel thread. It runs as a CommonJS script of its own (`eval: true`), so it
 * may use nothing from this module: the slot numbers above are repeated as literals.
 */
function kernelWorker(): void {
  const { workerData, parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { writeSync } = require('node:fs') as typeof import('node:fs');
  const setup = workerData as WorkerSetup;
  const api = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
  const instance = new api.Instance(setup.module, { env: { memory: setup.memory } });
  const kernels = setup.kernels.map((name) => instance.exports[name] as (...args: number[]) => void);
  const control = new Int32Array(setup.control);
  const args = new Float64Array(setup.args);
  parentPort!.postMessage('ready');
  let seen = Atomics.load(control, 0);
  for (;;) {
    let spins = 0;
    while (Atomics.load(control, 0) === seen) {
      if (++spins > setup.spins) {
        Atomics.wait(control, 0, seen);
        spins = 0;
      }
    }
    seen = Atomics.load(control, 0);
    const kernel = Atomics.load(control, 1);
    if (kernel < 0) return;
    const parts = Atomics.load(control, 2);
    if (setup.index < parts) {
      try {
        const call: number[] = [];
        for (let i = 0, n = Atomics.load(control, 3); i < n; i++) call.push(args[i]!);
        call.push(0, parts);
        for (let part = setup.index; part < parts; part += setup.workers + 1) {
          call[call.length - 2] = part;
          kernels[kernel]!(...call);
        }
      } catch (error) {
        // Written synchronously: the caller is blocked until this call ends and reads no messages.
        writeSync(2, `kernel thread ${setup.index}: ${setup.kernels[kernel]} failed: ${String(error)}\n`);
        Atomics.store(control, 5, setup.index);
      }
    }
    if (Atomics.add(control, 4, 1) + 1 === setup.workers) Atomics.notify(control, 4);
  }
}

/**
 * Worker threads that run parts of our wasm kernels on a shared memory. A call hands parts
 * 1…n−1 to the workers through a shared control block and runs part 0 on the calling thread, so
 * the caller never idles and a call costs no message passing.
 */
export class KernelThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly args = new Float64Array(new SharedArrayBuffer(MAX_ARGS * 8));
  private workers: Worker[] = [];

  private constructor(private readonly kernels: readonly string[]) {}

  /** Starts `count` workers, each with its own instance of `module` on `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, kernels: readonly string[], count: number): Promise<KernelThreads> {
    const threads = new KernelThreads(kernels);
    const ready: Array<Promise<void>> = [];
    for (let index = 1; index <= count; index++) {
      const setup: WorkerSetup = {
        module,
        memory,
        control: threads.control.buffer as SharedArrayBuffer,
        args: threads.args.buffer as SharedArrayBuffer,
        index,
        workers: count,
        kernels,
        spins: WORKER_SPINS,
      };
      const worker = new Worker(`(${kernelWorker.toString()})()`, { eval: true, workerData: setup });
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          // Referenced until ready (else an idle event loop would exit while it starts), then never
          // keeping the process alive.
          worker.once('message', () => {
            worker.unref();
            resolve();
          });
        }),
      );
      threads.workers.push(worker);
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      threads.close();
      throw error;
    }
    return threads;
  }

  /** Threads a call can use, the caller's included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /**
   * Runs kernel(...args, part, parts) for every part: thread t takes parts t, t + size, …, the
   * calling thread (t = 0) through `local(part)`. Returns when every part is done.
   */
  run(kernel: number, args: readonly number[], parts: number, local: (part: number) => void): void {
    if (parts <= 1) {
      local(0);
      return;
    }
    if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${args.length} arguments, at most ${MAX_ARGS}`);
    const c = this.control;
    this.args.set(args);
    Atomics.store(c, ARG_COUNT, args.length);
    Atomics.store(c, KERNEL, kernel);
    Atomics.store(c, PARTS, parts);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.add(c, GENERATION, 1);
    Atomics.notify(c, GENERATION);
    let localError: unknown = null;
    try {
      for (let part = 0; part < parts; part += this.size) local(part);
    } catch (error) {
      localError = error;
    }
    const workers = this.workers.length;
    let spins = 0;
    for (let done = Atomics.load(c, DONE); done < workers; done = Atomics.load(c, DONE)) {
      if (++spins > CALLER_SPINS) Atomics.wait(c, DONE, done);
    }
    if (localError !== null) throw localError;
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) throw new Error(`${this.kernels[kernel]} failed in kernel thread ${failed} (its error is on stderr)`);
  }

  /** Stops the workers (they exit at their next poll). */
  close(): void {
    Atomics.store(this.control, KERNEL, STOP);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
    this.workers = [];
  }
}
