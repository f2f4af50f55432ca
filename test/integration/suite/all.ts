// Registers every integration suite (bundled into one file with index.ts).
import { extensionSuite } from './extension.suite';

export function allSuites(): void {
  extensionSuite();
}
