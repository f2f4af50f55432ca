/**
 * Generation tasks. A task's state is computed from the clock: `queued` until
 * createdAt + queuedMs, `running` until createdAt + taskMs, then its terminal outcome.
 * No timers: nothing to cancel on close.
 */
import { randomBytes } from 'node:crypto';
import type { StandInConfig, TaskSnapshot, TaskStatus } from './types';

export interface NewTask {
  source: 'api' | 'control';
  prompt: string;
  model: string;
  resolution: string;
  n: number;
  aspectRatio?: string;
  imageObjectKeys: string[];
  idempotencyKey?: string;
  /** force a failed outcome (taskFailed fault, control API `fail`) */
  fail?: boolean;
  /** overrides of the configured timing */
  taskMs?: number;
  queuedMs?: number;
}

/** What is stored of a task; status, progress and the timeline are derived. */
export type TaskRecord = Omit<TaskSnapshot, 'status' | 'progress' | 'runningAt' | 'finishedAt'>;

export interface TaskState {
  status: TaskStatus;
  /** 0..100; meaningful while running */
  progress: number;
}

const SLOW = /\[slow:(\d+)\]/;

function promptFails(prompt: string, pattern: StandInConfig['failPromptPattern']): boolean {
  if (pattern === null) return false;
  return typeof pattern === 'string' ? prompt.includes(pattern) : pattern.test(prompt);
}

export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly idempotency = new Map<string, string>();

  /** Creates a task timed and resolved from `config` and the prompt (`[fail]`, `[slow:N]`). */
  create(spec: NewTask, config: StandInConfig, now = Date.now()): TaskRecord {
    const slow = SLOW.exec(spec.prompt);
    const taskMs = Math.max(0, spec.taskMs ?? (slow ? Number(slow[1]) : config.taskMs));
    const queuedMs = Math.min(taskMs, Math.max(0, spec.queuedMs ?? config.queuedMs));
    const failedByPrompt = promptFails(spec.prompt, config.failPromptPattern);
    const failed = spec.fail === true || failedByPrompt;
    const task: TaskRecord = {
      taskId: `task_${randomBytes(12).toString('hex')}`,
      source: spec.source,
      prompt: spec.prompt,
      model: spec.model,
      resolution: spec.resolution,
      n: spec.n,
      imageObjectKeys: [...spec.imageObjectKeys],
      createdAt: now,
      queuedMs,
      taskMs,
      outcome: failed ? 'failed' : 'succeeded',
      polls: 0,
    };
    if (spec.aspectRatio !== undefined) task.aspectRatio = spec.aspectRatio;
    if (failed) task.errorMessage = spec.fail === true ? config.taskFailedMessage : config.failMessage;
    if (spec.idempotencyKey !== undefined) {
      task.idempotencyKey = spec.idempotencyKey;
      this.idempotency.set(spec.idempotencyKey, task.taskId);
    }
    this.tasks.set(task.taskId, task);
    return task;
  }

  get(taskId: string): TaskRecord | undefined {
    return this.tasks.get(taskId);
  }

  /** The task created by an earlier request with this Idempotency-Key. */
  byIdempotencyKey(key: string): TaskRecord | undefined {
    const id = this.idempotency.get(key);
    return id === undefined ? undefined : this.tasks.get(id);
  }

  stateAt(task: TaskRecord, now = Date.now()): TaskState {
    const elapsed = now - task.createdAt;
    if (elapsed >= task.taskMs) return { status: task.outcome, progress: 100 };
    if (elapsed < task.queuedMs) return { status: 'queued', progress: 0 };
    const span = task.taskMs - task.queuedMs;
    const progress = Math.floor(((elapsed - task.queuedMs) * 100) / span);
    return { status: 'running', progress: Math.min(99, Math.max(0, progress)) };
  }

  /** The state reported to a status request; counts the poll and notes when terminal was first seen. */
  poll(task: TaskRecord, now = Date.now()): TaskState {
    const state = this.stateAt(task, now);
    task.polls += 1;
    task.lastPolledAt = now;
    if ((state.status === 'succeeded' || state.status === 'failed') && task.terminalSeenAt === undefined) {
      task.terminalSeenAt = now;
    }
    return state;
  }

  snapshot(now = Date.now()): TaskSnapshot[] {
    return [...this.tasks.values()].map((task) => {
      const state = this.stateAt(task, now);
      return {
        ...structuredClone(task),
        runningAt: task.createdAt + task.queuedMs,
        finishedAt: task.createdAt + task.taskMs,
        status: state.status,
        progress: state.progress,
      };
    });
  }

  clear(): void {
    this.tasks.clear();
    this.idempotency.clear();
  }
}
