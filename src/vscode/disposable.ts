// The base of everything in the VS Code layer that listens or holds resources: what it
// registers is disposed with it, in reverse order, once.
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly registered: { dispose(): unknown }[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Ties `value` to this object's life; disposed at once if this object already is. */
  protected _register<T extends { dispose(): unknown }>(value: T): T {
    if (this.disposedFlag) value.dispose();
    else this.registered.push(value);
    return value;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    while (this.registered.length > 0) {
      try {
        this.registered.pop()!.dispose();
      } catch {
        // one failing disposal never keeps the others alive
      }
    }
  }
}
