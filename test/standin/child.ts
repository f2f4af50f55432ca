/**
 * The stand-in in a process of its own, driven through its control API: for measurements of
 * the client (event-loop delay, memory) that the stand-in's own work must not blur.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RecordedRequest, StandInConfig } from './types';

export interface StandInProcess {
  readonly url: string;
  configure(patch: Partial<StandInConfig>): Promise<void>;
  requests(): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

/** Starts `out/test/standin/main.js` (run from the repository root) with CLI arguments; resolves once it listens. */
export async function startStandInProcess(args: string[]): Promise<StandInProcess> {
  const child = spawn(process.execPath, [join(process.cwd(), 'out', 'test', 'standin', 'main.js'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the stand-in did not start within 10 s')), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /STANDIN_URL=(\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`the stand-in exited (${code})`)));
  });
  const control = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/__standin/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`stand-in control ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  return {
    url,
    configure: async (patch) => void (await control('POST', 'config', patch)),
    requests: async () => (await control('GET', 'requests')) as RecordedRequest[],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
