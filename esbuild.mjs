// Builds the extension host bundle and the webview bundle; with --tests also the test files.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what the .vsix ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --tests       also build test/** into out/ (unit tests, stand-in, VS Code tests, benchmarks)
//   node esbuild.mjs --unit        also build only what the unit tests run (npm run test:unit)
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSizes, bundleSizesText } from './scripts/bundle-sizes.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const unitOnly = process.argv.includes('--unit');
const tests = unitOnly || process.argv.includes('--tests');

/** Reports build problems in the format of the `$esbuild-watch` problem matcher. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

function filesUnder(dir, suffix) {
  const found = [];
  if (!existsSync(dir)) return found;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...filesUnder(full, suffix));
    else if (name.endsWith(suffix)) found.push(full);
  }
  return found;
}

/**
 * node-fetch (through fetch-blob) loads web-streams-polyfill only where Node has no web streams
 * (before 16.5); VS Code's Node always has them, so the 60 KB polyfill is left out of the bundle.
 */
const noWebStreamsPolyfill = {
  name: 'no-web-streams-polyfill',
  setup(build) {
    build.onResolve({ filter: /^web-streams-polyfill(\/|$)/ }, (args) => ({ path: args.path, namespace: 'stub' }));
    // node-fetch's multipart parser serves only Response.formData(), which nothing here calls
    // (CreatOK answers JSON; images are streamed): a clear error instead of 4 KB of parser.
    build.onResolve({ filter: /\/utils\/multipart-parser\.js$/ }, (args) => (args.importer.includes('node-fetch') ? { path: 'multipart-parser', namespace: 'stub' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, (args) => ({
      contents:
        args.path === 'multipart-parser'
          ? "export const toFormData = () => { throw new Error('CreatOK Image reads no multipart bodies.'); };"
          : "throw new Error('This Node.js has no web streams (node:stream/web); CreatOK Image needs Node 18 or later.');",
      loader: 'js',
    }));
  },
};

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', plugins: [problemMatcher] };

const configs = [
  {
    ...common,
    // An ES module (VS Code 1.100+ loads `.mjs` extensions as such), split: what a command first
    // needs (the gallery, the panel, missing images, chat tools …) is a chunk loaded at that
    // moment, not at start-up; shared code is one chunk, never a copy.
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['vscode'],
    plugins: [problemMatcher, noWebStreamsPolyfill],
    metafile: true,
    // The first statement of every file: the first one evaluated marks when loading began
    // (activate() reports load + activate time from there).
    banner: { js: 'globalThis.__creatokLoadStart ??= performance.now();' },
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['src/webview/gallery.ts'],
    outfile: 'dist/gallery.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
];

if (!watch) rmSync('dist', { recursive: true, force: true });

if (tests) {
  rmSync('out', { recursive: true, force: true });
  configs.push({
    bundle: true,
    sourcemap: true,
    logLevel: 'warning',
    entryPoints: [
      ...filesUnder('test/unit', '.test.ts'),
      ...filesUnder('test/unit/workers', '.ts'),
      'test/standin/main.ts',
      ...(unitOnly ? [] : [...filesUnder('test/integration', '.ts'), ...filesUnder('test/e2e', '.ts'), ...filesUnder('bench', '.ts'), 'scripts/demo.ts', 'scripts/screenshots.ts']),
    ],
    outdir: 'out',
    outbase: '.',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron', 'jsdom'],
  });
}

if (watch) {
  const contexts = await Promise.all(configs.map((c) => esbuild.context(c)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(configs.map((c) => esbuild.build(c)));
  // The shipped bundle's size, printed by every production build (CONTRIBUTING, Benchmarks: "cost at rest").
  writeFileSync('dist/metafile.json', JSON.stringify(results[0].metafile));
  if (production || process.argv.includes('--report-size')) console.log(bundleSizesText(bundleSizes(results[0].metafile)));
}
