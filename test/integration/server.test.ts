import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBackend, type Backend } from '../../src-main/api/backend.js';
import { forkLauncher } from '../../src-main/runner/launcher.js';
import { startWebServer, type WebServer } from '../../src-main/server/web-server.js';
import { WORKER } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-server-'));
const rendererDir = join(dir, 'renderer');
mkdirSync(rendererDir);
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>RigL Lab</title>');
writeFileSync(join(dir, 'secret.txt'), 'outside the renderer');
const token = 'test-token-0123456789abcdef';

let backend: Backend;
let server: WebServer;

beforeAll(async () => {
  backend = createBackend({ dbPath: join(dir, 'db.sqlite'), dataDir: join(dir, 'data'), mode: 'web', launch: forkLauncher(WORKER) });
  server = await startWebServer({ backend, rendererDir, host: '127.0.0.1', port: 0, token });
});

afterAll(async () => {
  await server.close();
  await backend.close('because the test ended');
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(query: string, headers: Record<string, string> = {}): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { headers: { origin: `http://127.0.0.1:${server.port}`, ...headers } });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => undefined);
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ id: number; ok: boolean; result?: unknown; error?: { message: string; issues?: unknown[] } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number };
      if (message.id === id) {
        ws.off('message', onMessage);
        resolve(message as never);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('web mode', () => {
  it('prints a loopback URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('refuses pages without the right token and serves them with it, under a strict CSP', async () => {
    const missing = await get('/');
    expect(missing.status).toBe(401);
    expect(missing.body).toContain('this page needs the access token');
    const wrong = await get('/?token=wrong');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('this access token is not the server\'s');
    const ok = await get(`/?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('RigL Lab');
    expect(String(ok.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(ok.headers['set-cookie'])).toContain('HttpOnly');
    expect((await get('/index.html', { cookie: `rigl_lab_token=${token}` })).status).toBe(200);
  });

  it('refuses other host names (DNS rebinding) and paths outside the renderer', async () => {
    expect((await get(`/?token=${token}`, { host: `evil.example:${server.port}` })).status).toBe(421);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt']) {
      const r = await get(`${path}?token=${token}`);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('outside the renderer');
    }
  });

  it('closes WebSockets without the token (4401) and refuses other origins', async () => {
    expect(await closeCode(openSocket(''))).toBe(4401);
    expect(await closeCode(openSocket('?token=nope'))).toBe(4401);
    const foreign = openSocket(`?token=${token}`, { origin: 'http://evil.example' });
    const refused = await new Promise<string>((resolve) => foreign.on('unexpected-response', (_req, res) => resolve(String(res.statusCode))).on('error', () => resolve('error')));
    expect(refused).toBe('403');
  });

  it('answers api calls, names bad params, rejects malformed and oversized messages', async () => {
    const ws = openSocket(`?token=${token}`);
    await new Promise((resolve) => ws.on('open', resolve));
    const info = await call(ws, 1, 'system.info', {});
    expect(info.ok).toBe(true);
    expect(info.result).toMatchObject({ mode: 'web', cpus: expect.any(Number) });
    const bad = await call(ws, 2, 'experiments.create', { spec: { name: 'x', grid: { method: ['lottery'] } } });
    expect(bad.ok).toBe(false);
    expect(bad.error!.issues).toEqual([{ path: 'params.spec.grid.method.0', message: expect.stringContaining('must be one of') }]);
    // CIFAR-10 is not on this machine (tests never download): refused, nothing queued.
    const before = await call(ws, 4, 'runs.list', {});
    const missing = await call(ws, 5, 'experiments.create', { spec: { name: 'x', base: { dataset: 'cifar10', model: 'wrn-10-2' } } });
    expect(missing.ok).toBe(false);
    expect(missing.error!.issues).toEqual([{ path: 'dataset', message: 'CIFAR-10 is not on this machine yet: download it or import a copy on the Datasets page' }]);
    expect((await call(ws, 6, 'runs.list', {})).result).toEqual(before.result);
    const unknown = await call(ws, 3, 'runs.drop', {});
    expect(unknown.error!.message).toContain('unknown method');
    const malformed = new Promise<{ ok: boolean; error: { message: string } }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    ws.send('{"id": "one"}');
    expect((await malformed).error.message).toMatch(/malformed request/);
    const closed = closeCode(ws);
    ws.send('x'.repeat(1_100_000));
    expect(await closed).toBe(1009);
  });

  it('is bound to loopback only: not reachable on the machine’s other addresses', async () => {
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return; // no other interface on this machine
    const result = await new Promise<string>((resolve) => {
      const socket = connect({ host: external.address, port: server.port }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(result).toBe('ECONNREFUSED');
  });
});
