import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFICIAL_DOWNLOADS, fetchDataset, loadDataset, type RemoteFile } from '../../src-main/engine/data/index.js';
import { IDX_FILES } from '../../src-main/engine/data/formats.js';
import { writeCifarArchive, writeIdxDataset } from '../helpers/dataset-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'data-fetch-'));
const noSystem = { mnist: [], 'fashion-mnist': [], cifar10: [], cifar100: [] };
/** What the local server answers, by request path. */
const served = new Map<string, Buffer>();
/** Paths whose body stops after its first piece until the promise settles (the client has seen that piece). */
const gates = new Map<string, Promise<void>>();
const requested: string[] = [];
let server: Server;
let origin = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    requested.push(request.url ?? '');
    const body = served.get(request.url ?? '');
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    void sendSlowly(response, body, gates.get(request.url ?? ''));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/**
 * Sends the body in 256-byte pieces a millisecond apart, so progress arrives in several steps;
 * with a gate, the rest waits for it after the first piece (a client held up for the whole body's
 * time would otherwise read it all at once).
 */
async function sendSlowly(response: ServerResponse, body: Buffer, gate?: Promise<void>): Promise<void> {
  for (let at = 0; at < body.length; at += 256) {
    response.write(body.subarray(at, at + 256));
    if (at === 0 && gate) await gate;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  response.end();
}

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
let counter = 0;
const fresh = (label: string): string => join(root, `${label}-${counter++}`);

/** A fetch that sends every request for https://host/path to the local server as /host/path. */
const localFetch: typeof fetch = (input, init) => {
  const url = new URL(String(input));
  return fetch(`${origin}/${url.host}${url.pathname}`, init);
};

async function serveIdx(prefix: string): Promise<RemoteFile[]> {
  const dir = fresh('idx');
  await writeIdxDataset(dir, { train: 30, test: 10, gzip: true });
  return Object.values(IDX_FILES).map((base) => {
    const name = `${base}.gz`;
    const bytes = readFileSync(join(dir, name));
    served.set(`${prefix}/${name}`, bytes);
    return { name, urls: [`${origin}${prefix}/${name}`], md5: md5(bytes) };
  });
}

describe('fetching datasets', () => {
  it('downloads, checks MD5s, reports progress and imports', async () => {
    const files = await serveIdx('/ok');
    const dataDir = fresh('data');
    const progress = new Map<string, Array<[number, number | null]>>();
    let firstPiece = (): void => {};
    gates.set('/ok/train-images-idx3-ubyte.gz', new Promise<void>((resolve) => (firstPiece = resolve)));
    const result = await fetchDataset('fashion-mnist', dataDir, {
      files,
      onProgress: (bytes, total, file) => {
        progress.set(file, [...(progress.get(file) ?? []), [bytes, total]]);
        if (file === 'train-images-idx3-ubyte.gz') firstPiece();
      },
    });
    expect(result).toMatchObject({ trainCount: 30, testCount: 10 });
    expect(readdirSync(dataDir)).toEqual(['fashion-mnist']);
    const trainImages = served.get('/ok/train-images-idx3-ubyte.gz')!;
    const steps = progress.get('train-images-idx3-ubyte.gz')!;
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.at(-1)).toEqual([trainImages.length, trainImages.length]);
    expect(steps.every(([bytes], i) => i === 0 || bytes > steps[i - 1]![0])).toBe(true);
    expect([...progress.keys()].sort()).toEqual(files.map((f) => f.name).sort());
    const loaded = await loadDataset('fashion-mnist', { dataDir, systemDirs: noSystem });
    expect(loaded.train.count).toBe(30);
  });

  it('tries the next mirror when one fails', async () => {
    const files = (await serveIdx('/second')).map((f) => ({ ...f, urls: [`${origin}/gone/${f.name}`, ...f.urls] }));
    const dataDir = fresh('data');
    await fetchDataset('mnist', dataDir, { files });
    expect(requested).toContain('/gone/train-images-idx3-ubyte.gz');
    expect((await loadDataset('mnist', { dataDir, systemDirs: noSystem })).test.count).toBe(10);
  });

  it('fails naming every URL tried when no mirror has the file, leaving nothing behind', async () => {
    const dataDir = fresh('data');
    const files: RemoteFile[] = [{ name: 'cifar-10-binary.tar.gz', urls: [`${origin}/a/x`, `${origin}/b/x`], md5: '0'.repeat(32) }];
    await expect(fetchDataset('cifar10', dataDir, { files })).rejects.toThrow(
      `cifar-10-binary.tar.gz: could not be downloaded: ${origin}/a/x: HTTP 404 Not Found; ${origin}/b/x: HTTP 404 Not Found`,
    );
    expect(readdirSync(dataDir)).toEqual([]);
    // Offline: fetch's own message ("fetch failed") with its cause, and how to import instead.
    const refused: RemoteFile[] = [{ name: 'cifar-10-binary.tar.gz', urls: ['http://127.0.0.1:1/x'], md5: '0'.repeat(32) }];
    await expect(fetchDataset('cifar10', dataDir, { files: refused })).rejects.toThrow(
      /could not be downloaded: http:\/\/127\.0\.0\.1:1\/x: fetch failed \(bad port\)\. Downloaded on another machine, the official archive is imported with `rigl-lab datasets import`/,
    );
  });

  it('rejects a download whose MD5 differs from the official one, naming URL, expected and actual', async () => {
    const archive = join(fresh('cifar'), 'cifar-10-binary.tar.gz');
    await writeCifarArchive(archive, 'cifar10', { trainPerFile: 2, test: 2 });
    const bytes = readFileSync(archive);
    served.set('/www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz', bytes);
    const dataDir = fresh('data');
    const official = OFFICIAL_DOWNLOADS.cifar10[0]!;
    await expect(fetchDataset('cifar10', dataDir, { fetch: localFetch })).rejects.toThrow(
      `https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz: MD5 mismatch: expected ${official.md5}, got ${md5(bytes)}; the download was deleted`,
    );
    expect(official.md5).toBe('c32a1d4ab5d03f1284b67883e8d87530');
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('imports a downloaded archive through an injected fetch', async () => {
    const archive = join(fresh('cifar'), 'cifar-100-binary.tar.gz');
    const fixture = await writeCifarArchive(archive, 'cifar100', { trainPerFile: 5, test: 3 });
    const bytes = readFileSync(archive);
    served.set('/www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz', bytes);
    const files = OFFICIAL_DOWNLOADS.cifar100.map((f) => ({ ...f, md5: md5(bytes) }));
    const dataDir = fresh('data');
    await fetchDataset('cifar100', dataDir, { fetch: localFetch, files });
    const loaded = await loadDataset('cifar100', { dataDir, systemDirs: noSystem });
    expect(Buffer.from(loaded.train.images).equals(Buffer.from(fixture.train.images))).toBe(true);
    expect(readdirSync(join(dataDir, 'cifar100', 'raw'))).toEqual(['cifar-100-binary.tar.gz']);
  });
});
