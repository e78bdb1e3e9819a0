import { ConfigError } from '../config/run.js';
import {
  API_EVENTS,
  API_METHODS,
  isApiEvent,
  type ApiError,
  type ApiEvent,
  type ApiEventPayload,
  type ApiMethod,
  type ApiParams,
  type ApiResult,
} from './contract.js';

/** How calls and events travel: Electron's preload bridge in the app, a WebSocket in a browser. */
export interface ApiTransport {
  /** Resolves with the raw result, or rejects with an ApiCallError. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Subscribes to every event; returns the unsubscribe function. */
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** A failed call, with the field-level problems the back end named. */
export class ApiCallError extends Error {
  readonly issues: Array<{ path: string; message: string }>;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.issues = error.issues ?? [];
  }
}

type Listener<E extends ApiEvent> = (payload: ApiEventPayload<E>) => void;

/**
 * The renderer's only way to the back end. Pages call `api.call('runs.list', {...})` and
 * `api.on('run.progress', ...)` without knowing the transport; results and events are checked
 * against the contract as they arrive.
 */
export class ApiClient {
  private readonly listeners = new Map<ApiEvent, Set<Listener<ApiEvent>>>();

  constructor(private readonly transport: ApiTransport) {
    transport.subscribe((event, payload) => this.dispatch(event, payload));
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const raw = await this.transport.call(method, params);
    const parsed = API_METHODS[method].result.safeParse(raw);
    if (!parsed.success) {
      // Most often a page of a newer build talking to a server started before an upgrade.
      const problems = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(the answer)'}: ${issue.message}`);
      throw new ApiCallError({
        message:
          `RigL Lab answered ${method} in a form this page does not know (${problems.join('; ')}). ` +
          'If RigL Lab was upgraded while it ran, restart it (rigl-lab serve, or the app) and reload this page.',
      });
    }
    return parsed.data as ApiResult<M>;
  }

  on<E extends ApiEvent>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<ApiEvent>);
    return () => set.delete(listener as Listener<ApiEvent>);
  }

  private dispatch(event: string, payload: unknown): void {
    if (!isApiEvent(event)) return;
    const parsed = API_EVENTS[event].safeParse(payload);
    if (!parsed.success) return;
    for (const listener of this.listeners.get(event) ?? []) listener(parsed.data);
  }
}

/** The error body a back end sends for a thrown error: config errors keep their field list. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ConfigError) return { message: error.message, issues: error.issues };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}
