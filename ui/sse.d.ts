/** Types of ./sse.js for the unit tests (the page loads the .js as it is). */
export interface SseEvent { id: string; type: string; data: string }
export class SseParser {
  lastEventId: string;
  retry: number | null;
  comments: number;
  push(text: string): SseEvent[];
}
export function readEventStream(body: ReadableStream<Uint8Array>, parser: SseParser, onEvent: (event: SseEvent) => void | Promise<void>): Promise<void>;
