// The extension bundle's size as VS Code loads it: at start-up, the entry and the chunks it
// imports statically; on first use, the chunks reached only through import(). Read from the
// metafile esbuild writes beside the bundle (dist/metafile.json, not packaged).

/** Sizes in bytes: { startup: { bytes, files }, onFirstUse: { bytes, files }, files: [every .mjs] }. */
export function bundleSizes(metafile) {
  const outputs = new Map(Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs')));
  // The extension's entry (every target of an import() has an entryPoint too).
  const entry = [...outputs].find(([, o]) => o.entryPoint === 'src/extension.ts')?.[0];
  if (!entry) throw new Error('bundle sizes: the metafile has no output for src/extension.ts');
  const startup = new Set();
  const visit = (file) => {
    if (startup.has(file) || !outputs.has(file)) return;
    startup.add(file);
    for (const i of outputs.get(file).imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  const later = [...outputs.keys()].filter((f) => !startup.has(f));
  const bytes = (files) => files.reduce((sum, f) => sum + outputs.get(f).bytes, 0);
  return {
    startup: { bytes: bytes([...startup]), files: [...startup] },
    onFirstUse: { bytes: bytes(later), files: later },
    files: [...outputs.keys()],
  };
}

/** One line: "extension bundle: 190.2 KB at start-up (3 files), 61.0 KB on first use (6 chunks)". */
export function bundleSizesText(sizes) {
  const kb = (b) => (b / 1024).toFixed(1);
  return `extension bundle: ${kb(sizes.startup.bytes)} KB at start-up (${sizes.startup.files.length} files), ${kb(sizes.onFirstUse.bytes)} KB on first use (${sizes.onFirstUse.files.length} chunks)`;
}
