import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './webassembly-api.js';

/** Slots of the control block shared with the workers. */
const GENERATION = 0;
const KERNEL = 1;
const ARG_COUNT = 2;
/**
 * The call as one word: generation (7 bits), pinned (1: part p belongs to thread p mod threads;
 * 0: threads take parts as they come), part count (12), next part to take (12).
 */
const TICKETS = 3;
/** Threads inside an unpinned call (registered before taking a part, gone once no part is left). */
const ACTIVE = 4;
const FAILED = 5;
/** Parts of a pinned call not yet finished. */
const REMAINING = 6;
const CONTROL_SLOTS = 8;
const MAX_ARGS = 16;
const MAX_PARTS = 4095;
/** Parts a pinned call may have (one claim word each). */
export const MAX_PINNED_PARTS = 1024;
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
  claims: SharedArrayBuffer;
  /** This thread's number (the caller is 0) and how many threads there are. */
  index: number;
  threads: number;
  kernels: readonly string[];
  spins: number;
}

/**
 * Takes the next part of the current call for a thread that saw generation `generation`: the
 * call's part count and the part's number as (parts << 12) | part, read from the very ticket
 * taken, or −1 when none is left (or the call is another one). One compare-and-swap on the
 * ticket word, so a part is never taken twice.
 */
function takePart(control: Int32Array, generation: number): number {
  for (;;) {
    const ticket = Atomics.load(control, 3);
    const parts = (ticket >>> 12) & 0xfff;
    const next = ticket & 0xfff;
    if (ticket >>> 25 !== (generation & 0x7f) || next >= parts) return -1;
    if (Atomics.compareExchange(control, 3, ticket, ticket + 1) === ticket) return (parts << 12) | next;
  }
}

/**
 * Claims part `part` of pinned call `generation`: true for the one thread whose compare-and-swap
 * writes the generation into the part's claim word. A claim word left by a later call is never
 * overwritten, so a thread that woke too late for its call claims nothing (the caller sets each
 * word of a call to generation − 1 first, so that words stay within 2³¹ generations of it).
 */
function claimPart(claims: Int32Array, part: number, generation: number): boolean {
  for (;;) {
    const old = Atomics.load(claims, part);
    if (((old - generation) | 0) >= 0) return false;
    if (Atomics.compareExchange(claims, part, old, generation) === old) return true;
  }
}

/**
 * The body of every kernel thread. It runs as a CommonJS script of its own (`eval: true`) with
 * takePart and claimPart prepended, and may use nothing else from this module: slot numbers are
 * literals.
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
  const claims = new Int32Array(setup.claims);
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
    // The kernel and its arguments are read only once the ticket word shows this very call (they
    // are written before it): a worker that woke late may otherwise see the next call half written.
    // Never throws: a part left uncounted would keep the caller waiting for ever.
    const runPart = (part: number, parts: number): void => {
      const kernel = Atomics.load(control, 1);
      try {
        const call: number[] = [];
        for (let i = 0, n = Atomics.load(control, 2); i < n; i++) call.push(args[i]!);
        call.push(part, parts);
        kernels[kernel]!(...call);
      } catch (error) {
        Atomics.store(control, 5, setup.index);
        // Written synchronously: the caller is blocked until this call ends and reads no messages.
        try {
          writeSync(2, `kernel thread ${setup.index}: ${setup.kernels[kernel]} failed: ${String(error)}\n`);
        } catch {
          // The failure is in FAILED; the caller reports it.
        }
      }
    };
    const ticket = Atomics.load(control, 3);
    const parts = (ticket >>> 12) & 0xfff;
    // The ticket is written before the generation: with the generation unchanged since, the
    // ticket is this call's, not a later one's with the same 7 bits.
    if (ticket >>> 25 === (seen & 0x7f) && ((ticket >>> 24) & 1) === 1 && Atomics.load(control, 0) === seen) {
      // This thread's parts, all claimed before any runs (the caller takes those left unclaimed
      // once its own are done). A claimed part keeps the call current until it is finished.
      const mine: number[] = [];
      for (let part = setup.index; part < parts; part += setup.threads) if (claimPart(claims, part, seen)) mine.push(part);
      for (const part of mine) runPart(part, parts);
      if (mine.length > 0 && Atomics.sub(control, 6, mine.length) === mine.length) Atomics.notify(control, 6);
      continue;
    }
    // Registered before taking a part: a caller that sees every part taken and none active knows
    // no part is still running.
    Atomics.add(control, 4, 1);
    for (let taken = takePart(control, seen); taken >= 0; taken = takePart(control, seen)) runPart(taken & 0xfff, taken >>> 12);
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
  private readonly claims = new Int32Array(new SharedArrayBuffer(MAX_PINNED_PARTS * 4));
  private workers: Worker[] = [];

  private constructor(private readonly kernels: readonly string[]) {}

  /** Starts `count` workers, each with its own instance of `module` on `memory`; resolves once all are ready. */
  static async start(module: WasmModule, memory: WasmMemory, kernels: readonly string[], count: number): Promise<KernelThreads> {
    const threads = new KernelThreads(kernels);
    const source = `${takePart.toString()}\n${claimPart.toString()}\n(${kernelWorker.toString()})()`;
    const ready: Array<Promise<void>> = [];
    for (let index = 1; index <= count; index++) {
      const setup: WorkerSetup = {
        module,
        memory,
        control: threads.control.buffer as SharedArrayBuffer,
        args: threads.args.buffer as SharedArrayBuffer,
        claims: threads.claims.buffer as SharedArrayBuffer,
        index,
        threads: count + 1,
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
   * Runs kernel(...args, part, parts) for every part, the calling thread running its parts
   * through `local(part)`; returns when every part is done. Unpinned, every thread takes the next
   * part left until none is. Pinned, part p belongs to thread p mod size (the caller is thread 0),
   * so that calls split the same way touch the same data on the same core (a thread reading what
   * another core has just written waits for it line by line); the caller runs the parts of a
   * thread that has not claimed them by the time its own are done.
   */
  run(kernel: number, args: readonly number[], parts: number, local: (part: number) => void, pinned = false): void {
    if (parts <= 0) return;
    if (parts <= 1) {
      local(0);
      return;
    }
    if (parts > MAX_PARTS) throw new Error(`kernel threads: ${parts} parts, at most ${MAX_PARTS}`);
    if (pinned && parts > MAX_PINNED_PARTS) throw new Error(`kernel threads: ${parts} pinned parts, at most ${MAX_PINNED_PARTS}`);
    if (args.length > MAX_ARGS) throw new Error(`kernel threads: ${args.length} arguments, at most ${MAX_ARGS}`);
    const c = this.control;
    this.args.set(args);
    Atomics.store(c, ARG_COUNT, args.length);
    Atomics.store(c, KERNEL, kernel);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, REMAINING, pinned ? parts : 0);
    const generation = (Atomics.load(c, GENERATION) + 1) | 0;
    if (pinned) for (let part = 0; part < parts; part++) Atomics.store(this.claims, part, (generation - 1) | 0);
    // Pinned, the next-part field starts full: no part is there to take.
    Atomics.store(c, TICKETS, ((generation & 0x7f) << 25) | (pinned ? 1 << 24 : 0) | (parts << 12) | (pinned ? parts : 0));
    Atomics.store(c, GENERATION, generation);
    Atomics.notify(c, GENERATION);
    let localError: unknown = null;
    if (pinned) {
      // Its own parts first, then any another thread has not claimed.
      for (const own of [true, false]) {
        for (let part = 0; part < parts; part++) {
          if ((part % this.size === 0) !== own || !claimPart(this.claims, part, generation)) continue;
          try {
            if (localError === null) local(part);
          } catch (error) {
            localError = error;
          }
          Atomics.sub(c, REMAINING, 1);
        }
      }
      this.waitUntilZero(REMAINING);
    } else {
      try {
        for (let taken = takePart(c, generation); taken >= 0; taken = takePart(c, generation)) local(taken & 0xfff);
      } catch (error) {
        localError = error;
        // Leave no part for the workers, then wait for the ones they hold.
        while (takePart(c, generation) >= 0);
      }
      this.waitUntilZero(ACTIVE);
    }
    if (localError !== null) throw localError;
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) throw new Error(`${this.kernels[kernel]} failed in kernel thread ${failed} (its error is on stderr)`);
  }

  /** Polls a count of the control block, then sleeps on it, until it is 0. */
  private waitUntilZero(slot: number): void {
    let spins = 0;
    for (let left = Atomics.load(this.control, slot); left > 0; left = Atomics.load(this.control, slot)) {
      if (++spins > SPINS) Atomics.wait(this.control, slot, left);
    }
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
