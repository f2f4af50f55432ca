// Registers every integration suite (bundled into one file with index.ts).
import { extensionSuite } from './extension.suite';
import { projectFilesSuite } from './projectFiles.suite';

export function allSuites(): void {
  extensionSuite();
  projectFilesSuite();
}
