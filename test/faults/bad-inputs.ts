import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { createBackend } from '../../src-main/api/backend.js';
import { fetchDataset } from '../../src-main/engine/data/index.js';
import { checkIpcCall } from '../../src-main/electron/trust.js';
import { forkLauncher } from '../../src-main/runner/launcher.js';
import { toWorkerSchema } from '../../src-main/runner/worker-protocol.js';
import { startWebServer } from '../../src-main/server/web-server.js';
import { openStore } from '../../src-main/store/index.js';
import { cifarRecords, idxImagesBytes, idxLabelsBytes, expectedSet, tarArchive, writeIdxDataset } from '../helpers/dataset-fixtures.js';
import { WORKER } from '../helpers/cli.js';
import { spawnCli, FAULT_RUN } from './harness.js';

export interface BadInput {
  name: string;
  /** What the error must say: the field or file, and what is wrong. */
  expect: RegExp;
  /** Performs the bad action and returns the error the user sees ('' if none). */
  run(): Promise<string>;
}

/** Hash of every file under a folder: the datasets already imported must not change. */
function folderHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    let names: string[] = [];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

export function badInputCases(dir: string, db: string, dataDir: string): BadInput[] {
  const work = join(dir, 'bad-inputs');
  mkdirSync(work, { recursive: true });
  let n = 0;
  const folder = (): string => {
    const path = join(work, `case-${n++}`);
    mkdirSync(path, { recursive: true });
    return path;
  };

  /** A CLI call that must exit non-zero without touching the data directory; its stderr. */
  const cli = async (args: string[]): Promise<string> => {
    const before = folderHash(dataDir);
    const r = await spawnCli(args).done;
    if (r.code === 0) return 'UNEXPECTED SUCCESS';
    if (folderHash(dataDir) !== before) return 'THE DATA DIRECTORY CHANGED';
    return r.stderr;
  };
  const run = (...args: string[]) => cli(['run', ...args, '--db', db, '--data-dir', dataDir]);
  const importInto = (name: string, path: string) => cli(['datasets', 'import', name, path, '--data-dir', dataDir]);
  const config = (body: unknown): string => {
    const path = join(folder(), 'experiment.json');
    writeFileSync(path, typeof body === 'string' ? body : JSON.stringify(body));
    return path;
  };
  const thrown = async (f: () => unknown): Promise<string> => {
    try {
      await f();
      return 'UNEXPECTED SUCCESS';
    } catch (error) {
      return (error as Error).message;
    }
  };

  /** A good IDX folder with one file replaced. */
  const idxWith = async (file: string, bytes: Buffer): Promise<string> => {
    const d = folder();
    await writeIdxDataset(d, { train: 20, test: 10, gzip: false });
    writeFileSync(join(d, file), bytes);
    return d;
  };
  const cifarFolder = (train: Buffer, test: Buffer, kind: 'cifar10' | 'cifar100'): string => {
    const d = folder();
    if (kind === 'cifar10') {
      for (let i = 1; i <= 5; i++) writeFileSync(join(d, `data_batch_${i}.bin`), train);
      writeFileSync(join(d, 'test_batch.bin'), test);
    } else {
      writeFileSync(join(d, 'train.bin'), train);
      writeFileSync(join(d, 'test.bin'), test);
    }
    return d;
  };

  /** One request over the WebSocket api of a fresh server on the fault database. */
  const overSocket = async (send: (ws: WebSocket) => void): Promise<string> => {
    const backend = createBackend({ dbPath: db, dataDir, mode: 'web', launch: forkLauncher(WORKER) });
    await backend.handle('queue.pause', {});
    const rendererDir = folder();
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    const server = await startWebServer({ backend, rendererDir, host: '127.0.0.1', port: 0, token: 't0ken-for-bad-inputs' });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=t0ken-for-bad-inputs`, { headers: { origin: `http://127.0.0.1:${server.port}` } });
      await new Promise((r) => ws.on('open', r));
      const answer = new Promise<string>((resolve) => {
        ws.on('message', (data) => {
          const m = JSON.parse(data.toString()) as { ok: boolean; error?: { message: string; issues?: Array<{ path: string; message: string }> } };
          resolve(m.ok ? 'UNEXPECTED SUCCESS' : [m.error!.message, ...(m.error!.issues ?? []).map((i) => `${i.path}: ${i.message}`)].join('\n'));
        });
        ws.on('close', (code) => resolve(`closed ${code}`));
      });
      send(ws);
      const text = await answer;
      ws.terminate();
      return text;
    } finally {
      await server.close();
      await backend.close('because the test ended');
    }
  };

  const good = expectedSet(0, 20, [28, 28, 1], 10);
  const labels = good.labels.slice();

  return [
    // Dataset files.
    { name: 'IDX images truncated', expect: /train-images-idx3-ubyte/, run: async () => importInto('mnist', await idxWith('train-images-idx3-ubyte', idxImagesBytes(good).subarray(0, 500))) },
    { name: 'IDX images with a wrong magic number', expect: /train-images-idx3-ubyte.*(magic|2051)/s, run: async () => importInto('mnist', await idxWith('train-images-idx3-ubyte', idxImagesBytes(good, 2049))) },
    {
      name: 'IDX labels out of range (mislabelled)',
      expect: /train-labels-idx1-ubyte.*label/is,
      run: async () => importInto('mnist', await idxWith('train-labels-idx1-ubyte', idxLabelsBytes(Uint8Array.from(labels.map((l, i) => (i === 7 ? 12 : l)))))),
    },
    { name: 'IDX labels fewer than images', expect: /train-(labels|images)/, run: async () => importInto('mnist', await idxWith('train-labels-idx1-ubyte', idxLabelsBytes(labels.subarray(0, 15)))) },
    {
      name: 'a .gz file that is not gzip',
      expect: /t10k-images-idx3-ubyte\.gz/,
      run: async () => {
        const d = folder();
        await writeIdxDataset(d, { train: 20, test: 10, gzip: true });
        writeFileSync(join(d, 't10k-images-idx3-ubyte.gz'), Buffer.from('this is not gzip at all'));
        return importInto('fashion-mnist', d);
      },
    },
    {
      name: 'a gzip stream cut short',
      expect: /train-labels-idx1-ubyte\.gz/,
      run: async () => {
        const d = folder();
        await writeIdxDataset(d, { train: 20, test: 10, gzip: true });
        writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabelsBytes(labels)).subarray(0, 20));
        return importInto('fashion-mnist', d);
      },
    },
    { name: 'CIFAR-10 batch with a partial record', expect: /data_batch_1\.bin/, run: () => importInto('cifar10', cifarFolder(cifarRecords('cifar10', 0, 3).subarray(0, 3 * 3073 - 5), cifarRecords('cifar10', 0, 2), 'cifar10')) },
    {
      name: 'CIFAR-100 fine label 100',
      expect: /train\.bin.*label/is,
      run: () => {
        const train = cifarRecords('cifar100', 0, 3);
        train[3074 + 1] = 100;
        return importInto('cifar100', cifarFolder(train, cifarRecords('cifar100', 0, 2), 'cifar100'));
      },
    },
    {
      name: 'CIFAR-10 archive cut short',
      expect: /cifar-10-binary\.tar\.gz/,
      run: () => {
        const archive = gzipSync(tarArchive([{ name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarRecords('cifar10', 0, 4) }])).subarray(0, 200);
        const path = join(folder(), 'cifar-10-binary.tar.gz');
        writeFileSync(path, archive);
        return importInto('cifar10', path);
      },
    },
    { name: 'an import path that does not exist', expect: /no-such-folder/, run: () => importInto('cifar10', join(work, 'no-such-folder')) },
    {
      name: 'a download whose MD5 does not match',
      expect: /md5|MD5/,
      run: async () => {
        const server = createServer((_req, res) => res.end('corrupted download'));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
        const before = folderHash(dataDir);
        const message = await thrown(() => fetchDataset('cifar10', dataDir, { files: [{ name: 'cifar-10-binary.tar.gz', urls: [url], md5: 'c32a1d4ab5d03f1284b67883e8d87530' }] }));
        server.close();
        return folderHash(dataDir) === before ? `${message} (${url})` : 'THE DATA DIRECTORY CHANGED';
      },
    },

    // Run configs.
    { name: 'sparsity 1', expect: /--sparsity: must be a fraction below 1, e.g. 0.9 for 90%/, run: () => run('--sparsity', '1') },
    { name: 'negative sparsity', expect: /--sparsity: .*(0|greater)/, run: () => run('--sparsity=-0.1') },
    { name: 'unknown method', expect: /--method: must be one of "dense", "static", "set", "snfs", "rigl", "pruning"/, run: () => run('--method', 'lottery') },
    { name: 'unknown model', expect: /--model: must be mlp, lenet5, lenet5-classic, wrn-D-K/, run: () => run('--model', 'vgg16') },
    { name: 'unknown dataset', expect: /--dataset: must be one of "mnist", "fashion-mnist", "cifar10", "cifar100"/, run: () => run('--dataset', 'imagenet') },
    { name: 'ΔT = 0', expect: /--delta-t: must be a whole number of steps, at least 1/, run: () => run('--delta-t', '0') },
    { name: 'negative ΔT', expect: /--delta-t: must be a whole number of steps, at least 1/, run: () => run('--delta-t=-5') },
    { name: 'T_end = 0', expect: /--t-end: must be in \(0, 1\]/, run: () => run('--t-end', '0') },
    { name: 'T_end above 1', expect: /--t-end: must be in \(0, 1\]/, run: () => run('--t-end', '1.5') },
    { name: 'zero epochs', expect: /--epochs: must be at least 1/, run: () => run('--epochs', '0') },
    { name: 'batch larger than the data', expect: /--batch-size: 128 is larger than the 90 training examples/, run: () => run('--train-subset', '100', '--batch-size', '128') },
    { name: 'WRN depth not 6n+4', expect: /--model: wrn-23-2: depth must be 6n\+4/, run: () => run('--model', 'wrn-23-2') },
    { name: 'non-integer seed', expect: /--seed: "1.5" is not a whole number/, run: () => run('--seed', '1.5') },
    { name: 'negative learning rate', expect: /--lr: /, run: () => run('--lr=-0.1') },
    { name: 'α = 0', expect: /--alpha: must be above 0/, run: () => run('--alpha', '0') },
    { name: 'unknown distribution', expect: /--distribution: must be one of "uniform", "er", "erk"/, run: () => run('--distribution', 'gaussian') },
    { name: 'unknown flag', expect: /Unknown option '--sparsty'/, run: () => run('--sparsty', '0.9') },
    { name: 'config file with an unknown field', expect: /experiment\.json:\n.*base: unknown field learning_rate/s, run: () => run('--config', config({ name: 'x', base: { learning_rate: 0.1 } })) },
    { name: 'config file that is not JSON', expect: /experiment\.json: not valid JSON/, run: () => run('--config', config('{ "name": ')) },
    { name: 'config overriding an unknown layer', expect: /layerSparsity\.conv9: no masked layer of mlp is called "conv9"/, run: () => run('--config', config({ name: 'x', base: { ...FAULT_RUN, layerSparsity: { conv9: 0.5 } } })) },

    // Databases.
    {
      name: 'a database from a newer RigL Lab',
      expect: /newer\.sqlite.*newer/s,
      run: async () => {
        const path = join(folder(), 'newer.sqlite');
        copyFileSync(db, path);
        const raw = new Database(path);
        raw.pragma('journal_mode = DELETE');
        raw.pragma('user_version = 999');
        raw.close();
        const bytes = readFileSync(path);
        const message = await cli(['list', '--db', path]);
        return readFileSync(path).equals(bytes) ? message : 'THE FILE CHANGED';
      },
    },
    {
      name: 'a file that is not SQLite',
      expect: /notes\.sqlite.*not a SQLite database/s,
      run: async () => {
        const path = join(folder(), 'notes.sqlite');
        writeFileSync(path, 'lab notes, not a database\n');
        const message = await cli(['list', '--db', path]);
        return readFileSync(path, 'utf8') === 'lab notes, not a database\n' ? message : 'THE FILE CHANGED';
      },
    },

    // Messages from a window or a browser.
    { name: 'an oversized WebSocket message', expect: /closed 1009/, run: () => overSocket((ws) => ws.send('x'.repeat(1_100_000))) },
    { name: 'a malformed WebSocket message', expect: /malformed request/, run: () => overSocket((ws) => ws.send('{"id": "x"}')) },
    { name: 'an unknown api method', expect: /unknown method "runs\.wipe"/, run: () => overSocket((ws) => ws.send(JSON.stringify({ id: 1, method: 'runs.wipe', params: {} }))) },
    {
      name: 'an experiment with a bad grid over the api',
      expect: /params\.spec\.grid\.sparsity\.0: must be a fraction below 1/,
      run: () => overSocket((ws) => ws.send(JSON.stringify({ id: 1, method: 'experiments.create', params: { spec: { name: 'x', grid: { sparsity: [2] } } } }))),
    },
    { name: 'an oversized IPC call', expect: /limit is 1000000/, run: () => thrown(() => checkIpcCall('runs.list', { search: 'x'.repeat(1_100_000) })) },
    { name: 'an IPC call without a method name', expect: /must be a name/, run: () => thrown(() => checkIpcCall({ evil: true }, {})) },
    {
      name: 'a malformed message to a training worker',
      expect: /runId/,
      run: async () => {
        const parsed = toWorkerSchema.safeParse({ type: 'start', runId: -1, dbPath: db, dataDir });
        return parsed.success ? 'UNEXPECTED SUCCESS' : parsed.error.message;
      },
    },
    {
      name: 'a run id that does not exist',
      expect: /RUN: no run 999999/,
      run: () => cli(['show', '999999', '--db', db]),
    },
    {
      name: 'resuming a completed run',
      expect: /only interrupted, failed, cancelled or diverged runs resume, and queued ones start/,
      run: async () => {
        const store = openStore(db);
        const completed = store.listRuns({ status: 'completed', limit: 1 })[0];
        store.close();
        return completed ? cli(['resume', String(completed.id), '--db', db, '--data-dir', dataDir]) : 'NO COMPLETED RUN';
      },
    },
  ];
}
