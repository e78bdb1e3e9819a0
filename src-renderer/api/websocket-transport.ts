import { ApiCallError, type ApiTransport } from '../../src-shared/api/client.js';
import { eventMessageSchema, responseSchema, type ApiRequest } from '../../src-shared/api/contract.js';
import type { ConnectionState } from './connection.js';

/** The server closes with this code when the token is missing or wrong. */
const TOKEN_REFUSED = 4401;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * Where web mode serves the api: `/api` on the page's own host, ws or wss to match the page, with
 * the token when this tab has one; without, the server reads the cookie that its first link set
 * (a tab opened from a link of another).
 */
export function apiSocketUrl(location: Location, token: string | null): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/**
 * Calls and events over one WebSocket: requests {id, method, params} are answered by
 * {id, ok, result | error}; pushes are {event, payload}. Calls made while the socket is down wait
 * and go out when it opens again; calls in flight when it drops fail, since the server may or may
 * not have run them. A lost connection is retried with growing pauses; a refused token is final.
 */
export class WebSocketTransport implements ApiTransport {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly inFlight = new Map<number, Pending>();
  private outbox: Array<{ request: ApiRequest; pending: Pending }> = [];
  private readonly listeners = new Set<(event: string, payload: unknown) => void>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  /** `withToken`: whether the url carries a token, or the server is left to its cookie. */
  constructor(
    private readonly url: string,
    private readonly state: ConnectionState,
    private readonly withToken: boolean,
  ) {
    this.connect();
  }

  call(method: string, params: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.state.status === 'refused') {
        reject(new ApiCallError({ message: this.state.detail }));
        return;
      }
      const request: ApiRequest = { id: this.nextId++, method, params };
      const pending = { resolve, reject };
      if (this.socket?.readyState === WebSocket.OPEN) this.send(request, pending);
      else this.outbox.push({ request, pending });
    });
  }

  subscribe(listener: (event: string, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Skips the wait before the next attempt (the banner's "Retry now"). */
  reconnectNow(): void {
    if (this.state.status !== 'lost') return;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private connect(): void {
    this.state.status = 'connecting';
    this.state.retryAt = null;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.failures = 0;
      this.state.status = 'open';
      this.state.detail = '';
      this.state.generation++;
      const waiting = this.outbox;
      this.outbox = [];
      for (const { request, pending } of waiting) this.send(request, pending);
    });
    socket.addEventListener('message', (message) => this.receive(message.data));
    socket.addEventListener('close', (event) => this.closed(event));
  }

  private send(request: ApiRequest, pending: Pending): void {
    this.inFlight.set(request.id, pending);
    this.socket?.send(JSON.stringify(request));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    const response = responseSchema.safeParse(message);
    if (response.success) {
      const pending = this.inFlight.get(response.data.id);
      if (!pending) return;
      this.inFlight.delete(response.data.id);
      if (response.data.ok) pending.resolve(response.data.result);
      else pending.reject(new ApiCallError(response.data.error));
      return;
    }
    const event = eventMessageSchema.safeParse(message);
    if (event.success) for (const listener of this.listeners) listener(event.data.event, event.data.payload);
  }

  private closed(event: CloseEvent): void {
    this.socket = null;
    if (event.code === TOKEN_REFUSED) {
      this.refuse(
        this.withToken
          ? 'The server refused this page\'s access token. Open the link that `rigl-lab serve` printed at start-up again.'
          : 'This page has no access token. Open the link that `rigl-lab serve` printed (it ends in ?token=…).',
      );
      return;
    }
    const lost = new ApiCallError({ message: 'The connection to the RigL Lab server closed before it answered; try again.' });
    for (const pending of this.inFlight.values()) pending.reject(lost);
    this.inFlight.clear();
    this.failures++;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failures - 1));
    this.state.status = 'lost';
    this.state.detail = event.reason || (event.code === 1006 ? 'the server stopped or the network dropped' : `closed with code ${event.code}`);
    this.state.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private refuse(detail: string): void {
    this.state.status = 'refused';
    this.state.detail = detail;
    this.state.retryAt = null;
    const refused = new ApiCallError({ message: detail });
    for (const { pending } of this.outbox) pending.reject(refused);
    for (const pending of this.inFlight.values()) pending.reject(refused);
    this.outbox = [];
    this.inFlight.clear();
  }
}
