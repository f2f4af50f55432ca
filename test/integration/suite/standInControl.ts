// The stand-in runs in the test launcher's process; the extension host talks to it over HTTP.
export interface RecordedSubmission {
  accepted?: boolean;
  idempotencyKey?: string;
}

export function standInUrl(): string {
  const url = process.env.CREATOK_TEST_STANDIN_URL;
  if (!url) throw new Error('CREATOK_TEST_STANDIN_URL is not set: start the tests with the launcher.');
  return url;
}

async function control<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${standInUrl()}/__standin/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`stand-in ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const standIn = {
  reset: () => control('reset', {}),
  configure: (patch: Record<string, unknown>) => control('config', patch),
  submissions: () => control<RecordedSubmission[]>('submissions'),
  tasks: () => control<{ taskId: string; status: string }[]>('tasks'),
  uploads: () => control<{ objectKey: string; sha256: string }[]>('uploads'),
  createTask: (input: Record<string, unknown>) => control<{ task_id: string }>('tasks', input),
};
