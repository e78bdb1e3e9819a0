import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { gpuRelaunchEnv, RELAUNCHED } from '../../src-main/cli/gpu-relaunch.js';
import { forkLauncher } from '../../src-main/runner/launcher.js';

/**
 * The CUDA folders reach the processes that load tfjs-node-gpu, as they must: the loader reads
 * LD_LIBRARY_PATH only when a process starts. No CUDA here: a folder named as CUDA_HOME stands in.
 */
const dir = mkdtempSync(join(tmpdir(), 'rigl-lab-gpu-env-'));
const cudaHome = join(dir, 'cuda');
mkdirSync(join(cudaHome, 'lib64'), { recursive: true });
const cudaLib = join(cudaHome, 'lib64');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker entry that reports the environment it started with. */
const reportingWorker = join(dir, 'report-env.mjs');
writeFileSync(
  reportingWorker,
  `process.send({ ld: process.env.LD_LIBRARY_PATH, growth: process.env.TF_FORCE_GPU_ALLOW_GROWTH, threads: process.env.RIGL_LAB_THREADS }, () => process.exit(0));\n`,
);

describe('a training worker forked by the app or web mode', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['CUDA_HOME', 'LD_LIBRARY_PATH', 'TF_FORCE_GPU_ALLOW_GROWTH']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  it('starts with the CUDA library folder first on LD_LIBRARY_PATH, memory growth on and its share of the cores', async () => {
    process.env['CUDA_HOME'] = cudaHome;
    process.env['LD_LIBRARY_PATH'] = '/usr/lib/custom';
    delete process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
    const worker = forkLauncher(reportingWorker)({ threads: 3 });
    const seen = (await new Promise<unknown>((resolve) => worker.onMessage(resolve))) as { ld: string; growth: string; threads: string };
    // A machine's own /usr/local/cuda comes between, where there is one.
    expect(seen.ld).toMatch(new RegExp(`^${cudaLib}:(/usr/local/cuda[^:]*:)*/usr/lib/custom$`));
    expect(seen).toMatchObject({ growth: 'true', threads: saved['RIGL_LAB_THREADS'] ?? '3' });
  });
});

describe('the CLI and the bench, which train in their own process', () => {
  const installed = (path: string) => path === cudaLib;

  it('start again only where tfjs-node-gpu is installed and the CUDA folders are not yet on the path', () => {
    const env = { CUDA_HOME: cudaHome, LD_LIBRARY_PATH: '/usr/lib/custom', HOME: '/home/u' };
    expect(gpuRelaunchEnv(env, false, installed)).toBeNull();
    expect(gpuRelaunchEnv(env, true, installed)).toEqual({ ...env, LD_LIBRARY_PATH: `${cudaLib}:/usr/lib/custom`, TF_FORCE_GPU_ALLOW_GROWTH: 'true', [RELAUNCHED]: '1' });
    // Already on the path (the user exported it), or started again once already.
    expect(gpuRelaunchEnv({ ...env, LD_LIBRARY_PATH: cudaLib }, true, installed)).toBeNull();
    expect(gpuRelaunchEnv({ ...env, [RELAUNCHED]: '1' }, true, installed)).toBeNull();
    // No CUDA anywhere: nothing to add, so nothing to gain.
    expect(gpuRelaunchEnv({ HOME: '/home/u' }, true, () => false)).toBeNull();
  });

  /**
   * A process that starts `child.mjs` again through relaunch, as bin/rigl-lab.js does; the child
   * says what it got and how it ends.
   */
  const relaunching = join(dir, 'relaunching.mjs');
  const child = join(dir, 'child.mjs');
  const relaunchModule = pathToFileURL(join(process.cwd(), 'dist/src-main/cli/gpu-relaunch.js')).href;
  writeFileSync(
    relaunching,
    `import { relaunch } from ${JSON.stringify(relaunchModule)};\n` +
      `process.exitCode = await relaunch([${JSON.stringify(child)}, ...process.argv.slice(2)], { ...process.env, PASSED: 'yes' });\n`,
  );
  writeFileSync(
    child,
    `const signals = [];\n` +
      `const end = (code) => setTimeout(() => { console.log('child got ' + (signals.join(',') || 'nothing') + ', PASSED=' + process.env.PASSED); process.exit(code); }, 300);\n` +
      `process.on('SIGTERM', () => { signals.push('SIGTERM'); if (signals.length === 1) end(143); });\n` +
      `process.on('SIGINT', () => { signals.push('SIGINT'); if (signals.length === 1) end(130); });\n` +
      `console.log('child ready');\n` +
      `if (process.argv[2] === 'exit') end(Number(process.argv[3]));\n` +
      `else setTimeout(() => {}, 60_000);\n`,
  );

  /** Starts the relaunching process in a process group of its own, as a shell starts a command; `signal` goes where `to` says once the child is up. */
  async function runRelaunching(args: string[], signal?: { name: NodeJS.Signals; to: 'process' | 'group' }): Promise<{ code: number | null; out: string }> {
    const parent = spawn(process.execPath, [relaunching, ...args], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (signal && out.includes('child ready') && !out.includes('sent')) {
        out += 'sent\n';
        process.kill(signal.to === 'group' ? -parent.pid! : parent.pid!, signal.name);
      }
    });
    const code = await new Promise<number | null>((resolve) => parent.on('close', resolve));
    return { code, out };
  }

  it('give the child the environment and hand back its exit status', async () => {
    const { code, out } = await runRelaunching(['exit', '3']);
    expect(out).toContain('child got nothing, PASSED=yes');
    expect(code).toBe(3);
  });

  it('pass a SIGTERM sent to the process on to the child once, and end as it does', async () => {
    const { code, out } = await runRelaunching([], { name: 'SIGTERM', to: 'process' });
    expect(out).toContain('child got SIGTERM, PASSED=yes');
    expect(code).toBe(143);
  });

  it('pass a Ctrl-C on once, whether the terminal sent it to the whole process group or someone to the process alone', async () => {
    for (const to of ['group', 'process'] as const) {
      const { code, out } = await runRelaunching([], { name: 'SIGINT', to });
      // Once: the child, in a session of its own, has only the SIGINT passed on.
      expect(out, to).toContain('child got SIGINT, PASSED=yes');
      expect(code, to).toBe(130);
    }
  });
});
