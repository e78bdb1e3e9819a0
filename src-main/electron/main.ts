import { BrowserWindow, app, dialog, ipcMain, protocol, session, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { toApiError } from '../../src-shared/api/client.js';
import { createBackend, type Backend } from '../api/backend.js';
import { CONTENT_SECURITY_POLICY, readStaticFile, resolveStaticFile } from '../server/static-files.js';
import { defaultPaths } from '../store/index.js';
import { kernelThreadCount } from '../engine/kernels/kernel-runtime.js';
import { PACKAGE_ROOT } from '../version.js';
import { APP_HOST, APP_SCHEME, APP_URL, checkIpcCall, isAppUrl } from './trust.js';
import { utilityLauncher } from './utility-launcher.js';

const RENDERER_DIR = join(PACKAGE_ROOT, 'dist', 'renderer');
const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

if (!app.requestSingleInstanceLock()) app.quit();

let backend: Backend | null = null;
let window: BrowserWindow | null = null;

/** Serves the built renderer from app://rigl-lab/, refusing any path that leaves its folder. */
function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('not found', { status: 404 });
    const file = await resolveStaticFile(RENDERER_DIR, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    const { body, contentType } = await readStaticFile(file);
    return new Response(new Uint8Array(body), {
      headers: { 'Content-Type': contentType, 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    });
  });
}

function createWindow(current: Backend): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    title: 'RigL Lab',
    show: false,
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true },
  });
  win.once('ready-to-show', () => win.show());
  // Nothing but the app's own pages inside the window; links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const unsubscribe = current.subscribe((event, payload) => {
    if (!win.isDestroyed()) win.webContents.send('rigl-lab:event', event, payload);
  });
  win.on('closed', unsubscribe);
  void win.loadURL(APP_URL);
  return win;
}

function wireIpc(current: Backend): void {
  ipcMain.handle('rigl-lab:invoke', async (event, method: unknown, params: unknown) => {
    // Only the app's own main frame in our window may call.
    const frame = event.senderFrame;
    if (!window || event.sender !== window.webContents || !frame || frame !== event.sender.mainFrame || !isAppUrl(frame.url)) {
      return { ok: false, error: { message: 'refused: the caller is not the RigL Lab window' } };
    }
    try {
      const call = checkIpcCall(method, params);
      return { ok: true, result: await current.handle(call.method, call.params) };
    } catch (error) {
      return { ok: false, error: toApiError(error) };
    }
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.on('second-instance', () => {
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

app.whenReady().then(() => {
  try {
    kernelThreadCount();
  } catch (error) {
    // Every run would fail on it: said once, before anything starts (as rigl-lab run and serve do).
    dialog.showErrorBox('RigL Lab', `${error instanceof Error ? error.message : String(error)}. Unset it or give a number of threads, then start RigL Lab again.`);
    app.exit(2);
    return;
  }
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  const paths = defaultPaths();
  backend = createBackend({ dbPath: paths.database, dataDir: paths.dataDir, mode: 'electron', launch: utilityLauncher() });
  serveRenderer();
  wireIpc(backend);
  window = createWindow(backend);
  window.on('closed', () => {
    window = null;
  });
});

app.on('window-all-closed', () => app.quit());

app.on('will-quit', (event) => {
  if (backend === null) return;
  // Training runs stop after their current step, recorded interrupted with what they measured,
  // to be resumed next time; the app quits once they have (or a stuck worker was killed).
  event.preventDefault();
  const closing = backend;
  backend = null;
  void closing.close('because the app closed').finally(() => app.quit());
});
