import assert from 'node:assert/strict';
import { CreatOkError } from '../../../src/core/api/errors';
import type { TaskStatus } from '../../../src/core/api/schemas';
import { FakeClock } from '../helpers/fakeClock';
import { TaskWatcher, type WatchEvent } from '../../../src/core/watcher';

describe('task watcher (one scheduler for all tasks)', () => {
  it('follows a task from queued to succeeded and stops polling it', async () => {
    const clock = new FakeClock();
    const calls: number[] = [];
    const script: TaskStatus[] = [{ status: 'queued' }, { status: 'running' }, { status: 'succeeded', result: { images: [{ url: 'u' }] } }];
    const watcher = new TaskWatcher({
      clock,
      interval: () => 1000,
      client: { getTaskStatus: async () => (calls.push(clock.now()), { status: script[Math.min(calls.length - 1, 2)]!, raw: {} }) },
    });
    const events: WatchEvent[] = [];
    watcher.onEvent((e) => events.push(e));
    watcher.watch('t1');
    await clock.advance(10_000);
    assert.deepEqual(calls, [0, 1000, 2000]);
    assert.deepEqual(events.map((e) => (e.type === 'ended' ? `ended:${e.reason}` : e.type === 'status' ? e.status.status : e.type)), ['queued', 'running', 'succeeded', 'ended:succeeded']);
    assert.equal(watcher.isWatching('t1'), false);
  });

  it('never has two requests in flight for one task, however slow the answer', async () => {
    const clock = new FakeClock();
    let inFlight = 0;
    let maxInFlight = 0;
    const watcher = new TaskWatcher({
      clock,
      interval: () => 100,
      client: {
        getTaskStatus: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await clock.sleep(1000);
          inFlight--;
          return { status: { status: 'running' }, raw: {} };
        },
      },
    });
    watcher.watch('slow');
    await clock.advance(5000);
    assert.equal(maxInFlight, 1);
    watcher.dispose();
  });

  it('keeps trying through transient errors and reports them', async () => {
    const clock = new FakeClock();
    let n = 0;
    const watcher = new TaskWatcher({
      clock,
      interval: () => 500,
      client: {
        getTaskStatus: async () => {
          n++;
          if (n <= 2) throw new CreatOkError('server', 'boom', { status: 502 });
          return { status: { status: 'failed', error: { message: 'nsfw' } }, raw: {} };
        },
      },
    });
    const events: WatchEvent[] = [];
    watcher.onEvent((e) => events.push(e));
    watcher.watch('t');
    await clock.advance(5000);
    assert.deepEqual(events.map((e) => e.type), ['trouble', 'trouble', 'status', 'ended']);
    assert.equal((events[3] as { reason: string }).reason, 'failed');
  });

  it('ends with "not found" for an unknown task, and "budget exhausted" (never "failed") when the watch budget runs out', async () => {
    const clock = new FakeClock();
    const watcher = new TaskWatcher({
      clock,
      budgetMs: 3000,
      interval: () => 1000,
      client: {
        getTaskStatus: async (id) => {
          if (id === 'gone') throw new CreatOkError('notFound', 'Task not found', { status: 404 });
          return { status: { status: 'running' }, raw: {} };
        },
      },
    });
    const ended: string[] = [];
    const troubles: string[] = [];
    watcher.onEvent((e) => e.type === 'ended' && ended.push(`${e.taskId}:${e.reason}`));
    watcher.onEvent((e) => e.type === 'trouble' && troubles.push(e.taskId));
    // An old task (from a record on disk): "not found" three times in a row ends it.
    watcher.watch('gone', { startedAt: clock.now() - 60_000 });
    watcher.watch('long');
    await clock.advance(10_000);
    assert.deepEqual(ended.sort(), ['gone:notFound', 'long:budgetExhausted']);
    assert.deepEqual(troubles, ['gone', 'gone'], 'the first two are taken as a passing problem');
  });

  it('keeps asking about a task CreatOK does not know yet right after its submit (grace period)', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const watcher = new TaskWatcher({
      clock,
      budgetMs: 60_000,
      interval: () => 1000,
      client: {
        getTaskStatus: async () => {
          if (++calls <= 10) throw new CreatOkError('notFound', 'task not found');
          return { status: { status: 'succeeded' }, raw: {} };
        },
      },
    });
    const ended: string[] = [];
    watcher.onEvent((e) => e.type === 'ended' && ended.push(e.reason));
    watcher.watch('fresh');
    await clock.advance(30_000);
    assert.deepEqual(ended, ['succeeded'], 'ten "not found" in the first 10 s did not end it');
  });

  it('stop() ends the watch without touching the task', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const watcher = new TaskWatcher({ clock, interval: () => 1000, client: { getTaskStatus: async () => (calls++, { status: { status: 'running' }, raw: {} }) } });
    const ended: string[] = [];
    watcher.onEvent((e) => e.type === 'ended' && ended.push(e.reason));
    watcher.watch('t');
    await clock.advance(1500);
    watcher.stop('t');
    const before = calls;
    await clock.advance(5000);
    assert.equal(calls, before);
    assert.deepEqual(ended, ['stopped']);
  });

  it('serves many tasks from one loop, each at its own pace', async () => {
    const clock = new FakeClock();
    const polls = new Map<string, number>();
    const watcher = new TaskWatcher({
      clock,
      interval: () => 1000,
      client: { getTaskStatus: async (id) => (polls.set(id, (polls.get(id) ?? 0) + 1), { status: { status: 'running' }, raw: {} }) },
    });
    for (let i = 0; i < 50; i++) watcher.watch(`t${i}`);
    await clock.advance(2500);
    assert.equal(polls.size, 50);
    for (const count of polls.values()) assert.equal(count, 3);
    watcher.dispose();
  });
});
