// Task ids typed or pasted by people (Resume Task by ID): checked before any call.

export const MAX_TASK_ID_LENGTH = 128;

export type TaskIdProblem = 'empty' | 'tooLong' | 'pathSeparator' | 'invalidCharacters';

/** The trimmed id, or why it cannot be a task id. */
export function checkTaskId(input: string): { ok: true; taskId: string } | { ok: false; problem: TaskIdProblem } {
  const taskId = input.trim();
  if (!taskId) return { ok: false, problem: 'empty' };
  if (taskId.length > MAX_TASK_ID_LENGTH) return { ok: false, problem: 'tooLong' };
  if (/[\\/]/.test(taskId) || taskId.includes('..')) return { ok: false, problem: 'pathSeparator' };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(taskId)) return { ok: false, problem: 'invalidCharacters' };
  return { ok: true, taskId };
}
