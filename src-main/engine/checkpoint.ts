import { z } from 'zod';
import { trainingBatchStateSchema } from './data/index.js';
import type { TensorState } from './state.js';

/**
 * A run's whole state at an epoch boundary: tensors (weights, BatchNorm statistics, momentum,
 * masks), random-number states, the data order position and the counters the trainer keeps.
 * Restoring one and training on gives the same numbers as never having stopped.
 */
export interface TrainingCheckpoint {
  /** The next step to run (= steps done). */
  step: number;
  epoch: number;
  counters: CheckpointCounters;
  random: { dropout: RandomStateTuple; masks: RandomStateTuple };
  batches: z.infer<typeof trainingBatchStateSchema>;
  tensors: TensorState;
}

type RandomStateTuple = [number, number, number, number];

const randomStateSchema = z.tuple([z.uint32(), z.uint32(), z.uint32(), z.uint32()]);

const countersSchema = z.strictObject({
  trainFlops: z.number().min(0),
  bestTestAccuracy: z.number().nullable(),
  last: z
    .strictObject({ testLoss: z.number(), testAccuracy: z.number(), valAccuracy: z.number().nullable() })
    .nullable(),
  /** Sums over the steps since the last logged metric (logEvery need not divide an epoch). */
  window: z.strictObject({ loss: z.number(), correct: z.number(), examples: z.int().min(0) }),
});
export type CheckpointCounters = z.infer<typeof countersSchema>;

const MAGIC = 'RIGLCKPT';
const FORMAT_VERSION = 1;

const tensorEntrySchema = z.strictObject({
  group: z.enum(['params', 'buffers', 'velocity', 'masks']),
  name: z.string(),
  /** Elements (float32 or uint8 for masks). */
  length: z.int().min(0),
});

const headerSchema = z.strictObject({
  format: z.literal(FORMAT_VERSION),
  step: z.int().min(0),
  epoch: z.int().min(0),
  counters: countersSchema,
  random: z.strictObject({ dropout: randomStateSchema, masks: randomStateSchema }),
  batches: trainingBatchStateSchema,
  tensors: z.array(tensorEntrySchema),
});

const GROUPS = ['params', 'buffers', 'velocity', 'masks'] as const;

/** Layout: "RIGLCKPT", a uint32 header length, the JSON header, then each tensor's bytes in header order. */
export function encodeCheckpoint(c: TrainingCheckpoint): Buffer {
  const entries: Array<z.infer<typeof tensorEntrySchema>> = [];
  const chunks: Buffer[] = [];
  for (const group of GROUPS) {
    for (const [name, values] of Object.entries(c.tensors[group])) {
      entries.push({ group, name, length: values.length });
      chunks.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    }
  }
  const header = Buffer.from(
    JSON.stringify({ format: FORMAT_VERSION, step: c.step, epoch: c.epoch, counters: c.counters, random: c.random, batches: c.batches, tensors: entries }),
  );
  const prefix = Buffer.alloc(MAGIC.length + 4);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, MAGIC.length);
  return Buffer.concat([prefix, header, ...chunks]);
}

/** Reads a checkpoint back; any damage (truncation, a bad header) is an error naming `file`. */
export function decodeCheckpoint(bytes: Buffer, file: string): TrainingCheckpoint {
  const fail = (what: string): never => {
    throw new Error(`${file}: not a usable checkpoint (${what})`);
  };
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) fail('wrong magic bytes');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerEnd > bytes.length) fail('truncated header');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, headerEnd));
  } catch {
    fail('unreadable header');
  }
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) fail(`header: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const header = parsed.data!;
  const tensors: TensorState = { params: {}, buffers: {}, velocity: {}, masks: {} };
  let offset = headerEnd;
  for (const entry of header.tensors) {
    const bytesPerValue = entry.group === 'masks' ? 1 : 4;
    const size = entry.length * bytesPerValue;
    if (offset + size > bytes.length) fail(`truncated at tensor ${entry.name}`);
    // Copies, so the arrays are aligned and outlive the file buffer.
    const slice = bytes.subarray(offset, offset + size);
    if (entry.group === 'masks') {
      tensors.masks[entry.name] = Uint8Array.from(slice);
    } else {
      const values = new Float32Array(entry.length);
      new Uint8Array(values.buffer).set(slice);
      tensors[entry.group][entry.name] = values;
    }
    offset += size;
  }
  if (offset !== bytes.length) fail(`${bytes.length - offset} bytes after the last tensor`);
  return {
    step: header.step,
    epoch: header.epoch,
    counters: header.counters,
    random: header.random as TrainingCheckpoint['random'],
    batches: header.batches,
    tensors,
  };
}
