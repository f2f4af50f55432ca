// Loaded by the extension host (extensionTestsPath): runs the mocha suite inside a real VS Code.
// The same file serves code-server (CI) and @vscode/test-electron (a desktop).
import * as util from 'node:util';
import Mocha from 'mocha';
import { allSuites } from './suite/all';

export function run(): Promise<void> {
  // The extension host forwards console.* unformatted; pre-format mocha's lines.
  (Mocha.reporters.Base as unknown as { consoleLog: (...a: unknown[]) => void }).consoleLog = (...a: unknown[]) => console.log(util.format(...a));
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  allSuites();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration tests failed.`)) : resolve()));
  });
}
