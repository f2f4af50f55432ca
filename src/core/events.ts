// One small event emitter for the core (the watcher, the run service): listeners are called in
// order, one failing listener never stops the others, and every subscription is a Disposable.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (event: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
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
