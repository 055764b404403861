/**
 * KeyQueue orders the calls on one key. Its tasks are not meant to reject (bounded-call.ts turns
 * every adapter failure into an outcome), but should one reject all the same, the key must not be
 * wedged: before, every later task on it waited on the rejected tail and never ran.
 */
import { describe, expect, it } from 'vitest';
import { KeyQueue } from '../../src/storage/key-queue.js';

describe('KeyQueue', () => {
  it('a rejected task does not stop the next ones on its key, and raises no unhandled rejection', async () => {
    const queue = new KeyQueue();
    const order: string[] = [];
    const failing = queue.run('k', async () => {
      order.push('first');
      throw new Error('task failed');
    });
    const next = queue.run('k', async () => {
      order.push('second');
      return 2;
    });
    await expect(failing).rejects.toThrow('task failed');
    await expect(next).resolves.toBe(2);
    await expect(queue.idle('k')).resolves.toBeUndefined();
    expect(order).toEqual(['first', 'second']);
  });
});
