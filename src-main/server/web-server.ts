import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { toApiError } from '../../src-shared/api/client.js';
import { MAX_MESSAGE_BYTES, requestSchema, type ApiResponse } from '../../src-shared/api/contract.js';
import type { Backend } from '../api/backend.js';
import { CONTENT_SECURITY_POLICY, readStaticFile, resolveStaticFile } from './static-files.js';
import { TOKEN_COOKIE, cookieValue, tokenMatches } from './token.js';

export interface WebServerOptions {
  backend: Backend;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  host: string;
  port: number;
  token: string;
}

export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
/** Close code the renderer shows as "the token was refused". */
export const CLOSE_BAD_TOKEN = 4401;

/**
 * Web mode: the renderer and the api over HTTP + WebSocket for a browser, e.g. through an SSH
 * tunnel to a GPU server. Every request needs the token (in the URL once, then a cookie);
 * requests naming another host (DNS rebinding) or WebSockets opened from another origin are refused.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { backend, token } = options;
  const loopbackOnly = LOOPBACK.has(options.host);
  let port = options.port;

  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopbackOnly) return true;
    const host = req.headers.host ?? '';
    const name = host.replace(/:\d+$/, '');
    return LOOPBACK.has(name) && host.endsWith(`:${port}`);
  };
  const requestToken = (req: IncomingMessage, url: URL): string | null =>
    url.searchParams.get('token') ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);

  const server: Server = createServer((req, res) => void serveHttp(req, res));

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (!hostAllowed(req)) return refuse(res, 421, 'This server answers only on its loopback address.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here.');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const given = requestToken(req, url);
    if (!tokenMatches(token, given)) {
      return refuse(
        res,
        401,
        given === null
          ? 'RigL Lab: this page needs the access token. Open the link that `rigl-lab serve` printed (…/?token=…).'
          : 'RigL Lab: this access token is not the server\'s. `rigl-lab serve` makes a new one each time it starts: open the link it printed last.',
      );
    }
    if (url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const file = await resolveStaticFile(options.rendererDir, url.pathname);
    if (!file) return refuse(res, 404, `Not found: ${url.pathname}`);
    const { body, contentType } = await readStaticFile(file);
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
    if (url.pathname !== '/api' || !hostAllowed(req) || !sameOrigin) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      if (!tokenMatches(token, requestToken(req, url))) {
        ws.close(CLOSE_BAD_TOKEN, 'bad token');
        return;
      }
      serveSocket(ws);
    });
  });

  function serveSocket(ws: WebSocket): void {
    const unsubscribe = backend.subscribe((event, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    // Oversized or broken frames: ws closes the socket itself (1009, 1002); the server goes on.
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      void answer(ws, isBinary ? null : data.toString());
    });
  }

  async function answer(ws: WebSocket, text: string | null): Promise<void> {
    let id = 0;
    let response: ApiResponse;
    try {
      if (text === null) throw new Error('messages must be JSON text');
      const request = requestSchema.safeParse(JSON.parse(text));
      if (!request.success) throw new Error(`malformed request: ${request.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`);
      id = request.data.id;
      response = { id, ok: true, result: await backend.handle(request.data.method, request.data.params) };
    } catch (error) {
      response = { id, ok: false, error: toApiError(error) };
    }
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}
