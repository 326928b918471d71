/** Types of ./live.js for the unit tests (the page loads the .js as it is). */
export type LiveMode = 'connecting' | 'events' | 'polling' | 'reconnecting' | 'unauthorized' | 'error';
export interface LiveOptions {
  fetch: typeof globalThis.fetch;
  eventsUrl: string | URL;
  headers(): HeadersInit;
  refresh(): Promise<void>;
  onEvent(event: { type: string; [field: string]: unknown }): void;
  onMode(mode: LiveMode, detail?: unknown): void;
  signal: AbortSignal;
  pollMs?: number;
  retryMs?: number;
}
export function runLive(options: LiveOptions): Promise<void>;
