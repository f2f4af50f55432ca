// How long finished runs took, per model, resolution and count, kept across workspaces (VS
// Code's global state): the watcher reads densely around the expected end from the second run
// on, even in a new workspace. Only durations are kept, never prompts.
import type * as vscode from 'vscode';
import { durationOf, type RunDuration } from '../core/runs/history';
import type { RunService } from '../core/runs/runService';
import { Disposable } from './disposable';

const KEY = 'creatok.runDurations';
const KEEP = 200;

export class DurationMemory extends Disposable {
  constructor(
    private readonly memento: vscode.Memento,
    runs: RunService,
  ) {
    super();
    this._register(
      runs.onDidChange((event) => {
        if (event.kind !== 'ended' || event.reason !== 'succeeded' || event.run.elsewhere) return;
        const duration = durationOf(event.run.record);
        if (duration) void this.memento.update(KEY, [...this.all(), duration].slice(-KEEP));
      }),
    );
  }

  all(): RunDuration[] {
    const stored = this.memento.get<unknown>(KEY);
    if (!Array.isArray(stored)) return [];
    return stored.filter(
      (d): d is RunDuration =>
        !!d && typeof d === 'object' && typeof d.model === 'string' && typeof d.resolution === 'string' && typeof d.n === 'number' && typeof d.durationMs === 'number' && d.durationMs > 0,
    );
  }
}
