import { describe, expect, it } from 'vitest';
import { ApiClient, ApiCallError } from '../../src-shared/api/client.js';

describe('the renderer’s api client', () => {
  it('says what to do when the back end answers in a form the page does not know (a server older than the page)', async () => {
    const client = new ApiClient({ call: async () => ({ paused: 'no' }), subscribe: () => () => undefined });
    const call = client.call('queue.pause', {});
    await expect(call).rejects.toBeInstanceOf(ApiCallError);
    await expect(call).rejects.toThrow(/^RigL Lab answered queue\.pause in a form this page does not know \(paused: .+\)\. If RigL Lab was upgraded while it ran, restart it \(rigl-lab serve, or the app\) and reload this page\.$/);
  });
});
