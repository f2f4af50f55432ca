// What VS Code gives a webview's script: posting to the host, and its saved state.
export interface VsCodeApi<Message> {
  postMessage(message: Message): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi<never>;

/** The one handle of this webview (acquireVsCodeApi may be called only once). */
export function vscodeApi<Message>(): VsCodeApi<Message> {
  return acquireVsCodeApi() as unknown as VsCodeApi<Message>;
}
