import { openStore } from '../store/index.js';
import { Interruption, executeRun } from './execute-run.js';
import { parentPort } from './worker-port.js';
import { toWorkerSchema, type FromWorker } from './worker-protocol.js';

/**
 * Entry point of a training worker: waits for one `start` message, trains that run with the
 * store in its own connection, streams progress to the queue and exits.
 */
const port = parentPort();
const controller = new AbortController();
const send = (message: FromWorker): void => port.post(message);
// The queue's process went away (killed, crashed): stop after this step and leave the run resumable.
process.on('disconnect', () => controller.abort(new Interruption('because the process that started it went away')));
// A terminal's Ctrl-C reaches every process of its group, this one too: the queue that started it
// decides how it stops (an interrupt message, recorded with what it measured), or its going away does.
process.on('SIGINT', () => undefined);

port.onMessage((raw) => {
  const parsed = toWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`worker: ignored a malformed message: ${parsed.error.message}\n`);
    return;
  }
  const message = parsed.data;
  if (message.type === 'cancel') {
    controller.abort();
    return;
  }
  if (message.type === 'interrupt') {
    controller.abort(new Interruption(message.why));
    return;
  }
  void (async () => {
    const store = openStore(message.dbPath);
    try {
      const result = await executeRun({
        store,
        runId: message.runId,
        dataDir: message.dataDir,
        signal: controller.signal,
        events: {
          progress: (progress) => send({ type: 'progress', progress }),
          epoch: (epoch, testAccuracy) => send({ type: 'epoch', runId: message.runId, epoch, testAccuracy }),
        },
      });
      if (process.connected !== false) send({ type: 'finished', runId: message.runId, status: result.status, error: result.error });
    } finally {
      store.close();
      // Let the last message leave before the process ends.
      setTimeout(() => process.exit(0), 50);
    }
  })();
});
