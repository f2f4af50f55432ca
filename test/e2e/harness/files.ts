// Files on disk the UI tests look at: logs found by name, and snapshots of a folder.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `dir` whose name matches (links are not followed). */
export function filesUnder(dir: string, name: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full, name);
    return e.isFile() && name.test(e.name) ? [full] : [];
  });
}

/** The CreatOK log channel's files of a code-server home, joined. */
export function creatokLog(home: string): string {
  return filesUnder(home, /CreatOK\.log$/).map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** Every entry under `dir` (links as links, not followed) with its size and time, except `skip`. */
export function snapshot(dir: string, skip?: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const full = join(current, name);
      if (full === skip) continue;
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full);
      else entries.set(relative(dir, full), `${stat.isSymbolicLink() ? 'link' : 'file'}:${stat.size}:${stat.mtimeMs}`);
    }
  };
  if (existsSync(dir)) walk(dir);
  return entries;
}
