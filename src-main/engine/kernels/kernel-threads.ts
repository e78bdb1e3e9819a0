import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './webassembly-api.js';

/** Slots of the control block shared with the workers. */
const GENERATION = 0;
const KERNEL = 1;
const ARG_COUNT = 2;
/** The call's parts as one word: generation (8 bits), part count (12), next part to take (12). */
const TICKETS = 3;
/** Threads inside a call (registered before taking a part, gone once no part is left). */
const ACTIVE = 4;
const FAILED = 5;
const CONTROL_SLOTS = 8;
const MAX_ARGS = 16;
const MAX_PARTS = 4095;
/** KERNEL value that tells the workers to stop. */
const STOP = -1;

/**
 * Polls of the control block before sleeping in Atomics.wait. A worker keeps polling for a
 * while after each call because the next one usually follows within a fraction of a
 * millisecond, and waking from Atomics.wait costs tens of microseconds. The caller polls as
 * long for the parts still running on workers: with fewer polls (2000) it slept in most calls
 * of a sparse LeNet-300-100 step and waited twice as long in all (measured).
 */
const SPINS = 200_000;

interface WorkerSetup {
  module: WasmModule;
  memory: WasmMemory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  index: number;
  kernels: readonly string[];
  spins: number;
}

/**
 * Takes the next part of the current call for a thread that saw generation `generation`: its
 * number, or −1 when none is left (or the call is another one). One compare-and-swap on the
 * ticket word, so a part is never taken twice.
 */
function takePart(control: Int32Array, generation: number): number {
  for (;;) {
    const ticket = Atomics.load(control, 3);
    const parts = (ticket >>> 12) & 0xfff;
    const next = ticket & 0xfff;
    if (ticket >>> 24 !== (generation & 0xff) || next >= parts) return -1;
    if (Atomics.compareExchange(control, 3, ticket, ticket + 1) === ticket) return next;
  }
}

/**
 * The body of every kernel thread. It runs as a CommonJS script of its own (`eval: true`) with
 * takePart prepended, and may use nothing else from this module: slot numbers are literals.
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
    if (Atomics.load(control, 1) < 0) return;
    // Registered before taking a part: a caller that sees every part taken and none active knows
    // no part is still running.
    Atomics.add(control, 4, 1);
    for (let part = takePart(control, seen); part >= 0; part = takePart(control, seen)) {
      const kernel = Atomics.load(control, 1);
      try {
        const call: number[] = [];
        for (let i = 0, n = Atomics.load(control, 2); i < n; i++) call.push(args[i]!);
        call.push(part, (Atomics.load(control, 3) >>> 12) & 0xfff);
        kernels[kernel]!(...call);
      } catch (error) {
        // Written synchronously: the caller is blocked until this call ends and reads no messages.
        writeSync(2, `kernel thread ${setup.index}: ${setup.kernels[kernel]} failed: ${String(error)}\n`);
        Atomics.store(control, 5, setup.index);
      }
    }
    if (Atomics.sub(control, 4, 1) === 1) Atomics.notify(control, 4);
  }
}

/**
 * Worker threads that run parts of our wasm kernels on a shared memory. A call publishes its
 * arguments and parts in a shared control block; the calling thread and every awake worker take
 * parts one at a time until none is left, so a worker that wakes late, or runs on a busy core,
 * takes fewer parts instead of holding the call up. Which thread runs a part never changes what
 * the part computes.
 */
export class KernelThreads {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4));
  private readonly args = new Float64Array(new SharedArrayBuffer(MAX_ARGS * 8));
  private workers: Worker[] = [];

  private constructor(private readonly kernels: readonly string[]) {}

  /** Starts `count` workers, each with its own instance of `module` on `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, kernels: readonly string[], count: number): Promise<KernelThreads> {
    const threads = new KernelThreads(kernels);
    const source = `${takePart.toString()}\n(${kernelWorker.toString()})()`;
    const ready: Array<Promise<void>> = [];
    for (let index = 1; index <= count; index++) {
      const setup: WorkerSetup = {
        module,
        memory,
        control: threads.control.buffer as SharedArrayBuffer,
        args: threads.args.buffer as SharedArrayBuffer,
        index,
        kernels,
        spins: SPINS,
      };
      // No inherited flags: the script is CommonJS whatever the parent ran with (e.g. --input-type=module).
      const worker = new Worker(source, { eval: true, workerData: setup, execArgv: [] });
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('error', reject);
          // Referenced until ready (else an idle event loop would exit while it starts), then never
          // keeping the process alive.
          worker.once('message', () => {
            worker.unref();
            resolve();
          });
          // After start-up only an error outside a kernel call can come (those inside are caught
          // and reported through the control block): say so rather than drop it.
          worker.on('error', (error) => console.error(`kernel thread ${index} stopped: ${error.message}`));
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
   * Runs kernel(...args, part, parts) for every part, the calling thread taking parts through
   * `local(part)` like any worker; returns when every part is done.
   */
  run(kernel: number, args: readonly number[], parts: number, local: (part: number) => void): void {
    if (parts <= 0) return;
    if (parts <= 1) {
      local(0);
      return;
    }
    if (parts > MAX_PARTS) throw new Error(`kernel threads: ${parts} parts, at most ${MAX_PARTS}`);
    if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${args.length} arguments, at most ${MAX_ARGS}`);
    const c = this.control;
    this.args.set(args);
    Atomics.store(c, ARG_COUNT, args.length);
    Atomics.store(c, KERNEL, kernel);
    Atomics.store(c, FAILED, 0);
    const generation = (Atomics.load(c, GENERATION) + 1) | 0;
    Atomics.store(c, TICKETS, (((generation & 0xff) << 24) | (parts << 12)) | 0);
    Atomics.store(c, GENERATION, generation);
    Atomics.notify(c, GENERATION);
    let localError: unknown = null;
    try {
      for (let part = takePart(c, generation); part >= 0; part = takePart(c, generation)) local(part);
    } catch (error) {
      localError = error;
      // Leave no part for the workers, then wait for the ones they hold.
      while (takePart(c, generation) >= 0);
    }
    let spins = 0;
    for (let active = Atomics.load(c, ACTIVE); active > 0; active = Atomics.load(c, ACTIVE)) {
      if (++spins > SPINS) Atomics.wait(c, ACTIVE, active);
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
