// A feature whose code is a chunk of the split bundle, loaded on its first use: loaded once;
// a load that fails is said (and logged), and the next use tries again. Disposed with its owner:
// what it loaded is disposed too, and nothing loads after (a load still on its way is dropped).
import * as vscode from 'vscode';
import type { Logger } from '../core/log';

export class FirstUse<T extends object> implements vscode.Disposable {
  private loaded: Promise<T> | undefined;
  private value: T | undefined;
  private disposed = false;

  constructor(
    /** What the user would call it, in their language ("the gallery"). */
    private readonly what: () => string,
    private readonly load: () => Promise<T>,
    private readonly logger: Logger,
  ) {}

  /** The feature, loaded if it was not yet. */
  get(): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('The extension is shutting down.'));
    this.loaded ??= this.load().then(
      (value) => {
        if (this.disposed) {
          disposeIfDisposable(value);
          throw new Error('The extension is shutting down.');
        }
        this.value = value;
        return value;
      },
      (error: unknown) => {
        this.loaded = undefined;
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error(`first use: ${this.what()} could not be loaded: ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('CreatOK Image could not load {0}: {1}', this.what(), message));
        throw error;
      },
    );
    return this.loaded;
  }

  /** The feature when it is loaded or loading, without loading it. */
  get started(): Promise<T> | undefined {
    return this.loaded;
  }

  dispose(): void {
    this.disposed = true;
    if (this.value) disposeIfDisposable(this.value);
    this.value = undefined;
  }
}

function disposeIfDisposable(value: object): void {
  const dispose = (value as { dispose?: unknown }).dispose;
  if (typeof dispose === 'function') dispose.call(value);
}
