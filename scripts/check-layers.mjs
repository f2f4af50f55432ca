// The layers' imports (run by `npm run typecheck`): src/core imports neither `vscode` nor
// anything outside src/core; the webview (src/webview and every module it reaches) imports
// neither `vscode` nor a Node built-in. The layers' tsconfigs keep out the globals (no DOM in
// the core; no `process`, `Buffer` or `vscode` types in the webview).
//   node scripts/check-layers.mjs [--root DIR]     exits 1 and names each crossing
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const rootArg = process.argv.indexOf('--root');
const root = resolve(rootArg >= 0 ? process.argv[rootArg + 1] : '.');
const core = join(root, 'src', 'core');
const webview = join(root, 'src', 'webview');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? tsFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

function importsOf(file) {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
}

function resolveLocal(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return undefined;
}

const inside = (file, dir) => file === dir || file.startsWith(dir + sep);
const problems = [];
const show = (file) => relative(root, file);

for (const file of tsFiles(core)) {
  for (const spec of importsOf(file)) {
    if (spec === 'vscode') problems.push(`${show(file)}: src/core must not import 'vscode'`);
    if (spec.startsWith('.')) {
      const target = resolveLocal(file, spec);
      if (target && !inside(target, core)) problems.push(`${show(file)}: src/core must not import ${show(target)} (outside src/core)`);
    }
  }
}

// The webview and everything it reaches.
const seen = new Set();
const queue = tsFiles(webview).map((file) => ({ file, via: [] }));
while (queue.length > 0) {
  const { file, via } = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const path = [...via, show(file)].join(' → ');
  for (const spec of importsOf(file)) {
    if (spec === 'vscode') problems.push(`${path}: the webview must not import 'vscode'`);
    else if (builtins.has(spec)) problems.push(`${path}: the webview must not import the Node built-in '${spec}'`);
    else if (spec.startsWith('.')) {
      const target = resolveLocal(file, spec);
      if (target) queue.push({ file: target, via: [...via, show(file)] });
    }
  }
}

if (problems.length > 0) {
  console.error(`Layer crossings (${problems.length}):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`layers: src/core (${tsFiles(core).length} files) and the webview (${seen.size} files with what they import) cross no layer`);
