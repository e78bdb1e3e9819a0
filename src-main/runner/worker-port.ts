/**
 * The worker's end of its message channel: Electron's utility process exposes
 * `process.parentPort`, a Node child process `process.send`. The worker code uses this and does
 * not care which.
 */
export interface WorkerPort {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

export function parentPort(): WorkerPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  if (process.send) {
    return {
      post: (message) => void process.send!(message),
      onMessage: (listener) => void process.on('message', listener),
    };
  }
  throw new Error('the training worker must be started by the queue (no parent process channel)');
}
