// One small event emitter for the core (the watcher, the run service): listeners are called in
// order, one failing listener never stops the others, and every subscription is Releasable
// (its dispose() lets go). The VS Code layer's own base class is `Disposable`.

export interface Releasable {
  dispose(): void;
}

export type Event<T> = (listener: (event: T) => void) => Releasable;

export class Emitter<T> implements Releasable {
  private readonly listeners = new Set<(event: T) => void>();

  /** `onListenerError` hears of a listener that threw (the others are still called). */
  constructor(private readonly onListenerError?: (error: Error) => void) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
