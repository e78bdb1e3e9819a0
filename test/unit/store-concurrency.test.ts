import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveRunConfig } from '../../src-shared/config/run.js';
import { openStore, type Store } from '../../src-main/store/index.js';
import { MIGRATIONS } from '../../src-main/store/migrations.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROWS = 20_000;

/**
 * The other process runs the real store code: esbuild bundles it, because plain Node cannot
 * load TypeScript, leaving the dependencies to a node_modules link beside the bundle.
 */
const CHILD_SOURCE = `
import { openStore } from ${JSON.stringify(join(ROOT, 'src-main/store/index.js'))};
import { resolveRunConfig } from ${JSON.stringify(join(ROOT, 'src-shared/config/run.js'))};
import { createInterface } from 'node:readline';

const [file, mode, runId] = process.argv.slice(2);
async function lineFromParent() {
  const input = createInterface({ input: process.stdin });
  await new Promise((resolve) => input.once('line', resolve));
  input.close();
}
if (mode === 'open') {
  console.log('ready');
  await lineFromParent();
}
const store = openStore(file);
if (mode === 'open') {
  console.log(JSON.stringify({ version: store.schemaVersion, applied: store.appliedMigrations }));
  store.close();
  process.exit(0);
}
if (mode === 'claim') {
  console.log(JSON.stringify({ claimed: store.claimNextQueuedRun()?.id }));
  process.exit(0); // as a crash would: the run stays marked running
}
console.log('ready');
await lineFromParent();
const start = Date.now();
const recorder = store.openRecorder(Number(runId), { maxRows: 20 });
for (let step = 0; step < ${ROWS}; step++) {
  recorder.metrics(step, step / 1000, { train_loss: 1 / (step + 1) });
  if (step % 2000 === 0) store.createRun(resolveRunConfig({ seed: step }));
}
recorder.close();
console.log(JSON.stringify({ start, end: Date.now() }));
store.close();
`;

let bundle: string;
let file: string;
let store: Store;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'rigl-store-child-'));
  writeFileSync(join(dir, 'child.ts'), CHILD_SOURCE);
  bundle = join(dir, 'child.mjs');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  buildSync({ entryPoints: [join(dir, 'child.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: bundle, logLevel: 'error' });
});
afterAll(() => {
  rmSync(dirname(bundle), { recursive: true, force: true });
});
beforeEach(() => {
  file = join(mkdtempSync(join(tmpdir(), 'rigl-store-concurrency-')), 'db.sqlite');
  store = openStore(file);
});
afterEach(() => {
  expect(store.checkIntegrity()).toEqual([]);
  store.close();
  rmSync(dirname(file), { recursive: true, force: true });
});

function start(args: string[], script?: string): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string>; exit: Promise<number | null> } {
  const child =
    script === undefined
      ? spawn(process.execPath, [bundle, ...args])
      : spawn(process.execPath, ['-e', script, ...args], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      if (code !== 0) console.error(stderr);
      resolve(code);
    }),
  );
  return { child, lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](), exit };
}

async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const line = await lines.next();
  if (line.done === true) throw new Error('child ended without the expected output');
  return line.value;
}

describe('several processes on one database', () => {
  it('a writer waits for another process holding the write lock instead of failing with "database is locked"', async () => {
    // A plain better-sqlite3 connection takes the write lock and keeps it for 1.5 s.
    const holder = start(
      [file],
      `const Database = require('better-sqlite3');
       const db = new Database(process.argv[1]);
       db.exec('BEGIN IMMEDIATE');
       db.exec("UPDATE runs SET notes = 'held'");
       console.log('locked');
       const until = Date.now() + 1500;
       while (Date.now() < until);
       db.exec('COMMIT');
       db.close();`,
    );
    expect(await nextLine(holder.lines)).toBe('locked');
    const before = Date.now();
    const id = store.createRun(resolveRunConfig({}));
    expect(Date.now() - before).toBeGreaterThan(1000);
    expect(store.getRun(id)?.status).toBe('queued');
    expect(await holder.exit).toBe(0);
  });

  it('two processes record and create runs at the same time without errors or lost rows', async () => {
    const mine = store.createRun(resolveRunConfig({ seed: 1 }));
    const theirs = store.createRun(resolveRunConfig({ seed: 2 }));
    const other = start([file, 'record', String(theirs)]);
    expect(await nextLine(other.lines)).toBe('ready');
    other.child.stdin.end('go\n');

    const startedAt = Date.now();
    const recorder = store.openRecorder(mine, { maxRows: 20 });
    for (let step = 0; step < ROWS; step++) {
      recorder.metrics(step, step / 1000, { train_loss: 1 / (step + 1) });
      if (step % 2000 === 0) store.createRun(resolveRunConfig({ seed: 100 + step }));
    }
    recorder.close();
    const endedAt = Date.now();

    const span = JSON.parse(await nextLine(other.lines)) as { start: number; end: number };
    expect(await other.exit).toBe(0);
    // The two writers' busy periods overlapped, so their transactions really interleaved.
    expect(span.start).toBeLessThan(endedAt);
    expect(startedAt).toBeLessThan(span.end);

    for (const runId of [mine, theirs]) {
      const points = store.getMetrics(runId, { names: ['train_loss'] })[0]!.points;
      expect(points).toHaveLength(ROWS);
      expect(points[ROWS - 1]).toEqual({ step: ROWS - 1, epoch: (ROWS - 1) / 1000, value: 1 / ROWS });
    }
    const queued = store.listRuns({ status: 'queued', limit: 1000 });
    expect(queued).toHaveLength(22);
    expect(new Set(queued.map((r) => r.queuePosition)).size).toBe(22);
  });

  it('several processes opening a fresh file at once migrate it exactly once', async () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'rigl-store-fresh-')), 'db.sqlite');
    const children = Array.from({ length: 4 }, () => start([fresh, 'open']));
    // All started and waiting, then released together so that their migrations collide.
    for (const c of children) expect(await nextLine(c.lines)).toBe('ready');
    for (const c of children) c.child.stdin.end('go\n');
    const reports = await Promise.all(
      children.map(async (c) => JSON.parse(await nextLine(c.lines)) as { version: number; applied: string[] }),
    );
    expect(await Promise.all(children.map((c) => c.exit))).toEqual([0, 0, 0, 0]);
    expect(reports.map((r) => r.version)).toEqual(children.map(() => MIGRATIONS.length));
    // Each migration was applied by exactly one of them.
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    const check = openStore(fresh);
    expect(check.appliedMigrations).toEqual([]);
    expect(check.checkIntegrity()).toEqual([]);
    check.close();
    rmSync(dirname(fresh), { recursive: true, force: true });
  });

  it('a run left running by a process that died becomes interrupted at start-up', async () => {
    const id = store.createRun(resolveRunConfig({}));
    const other = start([file, 'claim']);
    expect(JSON.parse(await nextLine(other.lines))).toEqual({ claimed: id });
    expect(await other.exit).toBe(0);
    const owner = store.getRun(id)?.ownerPid;
    expect(owner).toBe(other.child.pid);

    expect(store.markStaleRunningAsInterrupted()).toEqual([id]);
    expect(store.getRun(id)).toMatchObject({ status: 'interrupted', error: `the process running it (pid ${owner}) stopped before the run ended; this session wrote no metrics or checkpoint, so its time is not counted` });
  });

  it("another process's queue (rigl-lab serve) leaves the runs a live CLI holds", async () => {
    const held = store.createRun(resolveRunConfig({}), { held: true });
    const free = store.createRun(resolveRunConfig({ seed: 1 }));
    const serve = start([file, 'claim']);
    expect(JSON.parse(await nextLine(serve.lines))).toEqual({ claimed: free });
    expect(await serve.exit).toBe(0);
    const again = start([file, 'claim']);
    expect(JSON.parse(await nextLine(again.lines))).toEqual({});
    expect(await again.exit).toBe(0);
    expect(store.getRun(held)).toMatchObject({ status: 'queued', ownerPid: process.pid });
  });
});
