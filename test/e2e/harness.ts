import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * Web mode as a user meets it: the real `rigl-lab serve` on a temporary database and data
 * directory, and Debian's Chromium (never a downloaded browser) driven by playwright-core.
 */

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(PACKAGE_ROOT, 'test-results');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const START_TIMEOUT_MS = 30_000;

/**
 * How long a check of the page may take to come true. The suite's files run side by side while
 * their servers train on the same two cores, so a page can take seconds to answer, not the one
 * second expect.poll allows by default.
 */
export const UI = { timeout: 15_000, interval: 100 } as const;

export interface ServeProcess {
  /** The link printed at start, with the token. */
  url: string;
  dbPath: string;
  dataDir: string;
  /** What the server wrote to stderr so far (for failure messages). */
  stderr(): string;
  stop(): Promise<void>;
}

function requireBuilt(): void {
  const missing = [join(PACKAGE_ROOT, 'dist/src-main/cli/main.js'), join(PACKAGE_ROOT, 'dist/renderer/index.html')].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.join(', ')} missing; run \`npx tsc -b\` and \`npx vite build --config src-renderer/vite.config.ts\``);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts `rigl-lab serve --port 0` on a fresh database and waits for the line with its link. */
export async function startServe(): Promise<ServeProcess> {
  requireBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'rigl-lab-e2e-'));
  const dbPath = join(dir, 'lab.sqlite');
  const dataDir = join(dir, 'data');
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/rigl-lab.js'), 'serve', '--db', dbPath, '--data-dir', dataDir, '--port', '0'], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rigl-lab serve printed no link within ${START_TIMEOUT_MS} ms; stderr:\n${stderr}`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^RigL Lab: (http:\/\/\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`rigl-lab serve exited with ${code} before printing its link; stderr:\n${stderr}`));
    });
  });
  return {
    url,
    dbPath,
    dataDir,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors and Content-Security-Policy violations the page reported. */
  errors: string[];
  close(): Promise<void>;
}

/** Chromium at 1280×800 with a fresh profile. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  const profile = await mkdtemp(join(tmpdir(), 'rigl-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.text().includes('Content Security Policy')) errors.push(`CSP: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** `rigl-lab serve` and Chromium shared by the tests of one describe block, there once its beforeAll has run. */
export interface WebSession {
  server: ServeProcess;
  browser: Browser;
  page: Page;
}

/** Starts a WebSession before the tests of the describe block it is called in and closes it after them. */
export function webSessionForTests(): WebSession {
  const session: Partial<WebSession> = {};
  beforeAll(async () => {
    session.server = await startServe();
    session.browser = await openBrowser();
    session.page = session.browser.page;
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.stop();
  });
  return session as WebSession;
}

/** Goes to a route of the app (`#/runs`) as its links do, without reloading the page. */
export async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

/** Saves what the user sees under test-results/e2e-NAME.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `e2e-${name}.png`) });
}

/** How far the content of the element `selector` finds is wider than its box, in pixels (0 when nothing overflows, −1 without one). */
export function overflowOf(page: Page, selector: string): Promise<number> {
  // A string, since this project's Node-side types have no DOM.
  return page.evaluate<number>(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); return e ? e.scrollWidth - e.clientWidth : -1; })()`);
}

/** How far the content area is wider than the window, in pixels (0 when nothing overflows). */
export function horizontalOverflow(page: Page): Promise<number> {
  return overflowOf(page, 'main.content');
}

/** Clicks a download button and returns the file's suggested name and text. */
export async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: await readFile(path) };
}

/**
 * Runs the CLI against the same database, as a user would check `rigl-lab list`; `stop` sends it
 * Ctrl-C (SIGINT), as a user stops a run in a terminal.
 */
export function cli(args: string[], stop?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'bin/rigl-lab.js'), ...args], { cwd: PACKAGE_ROOT, ...(stop ? { signal: stop, killSignal: 'SIGINT' as const } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // An abort is reported as an error event besides the exit: the exit code says how it ended.
    child.on('error', () => undefined);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
