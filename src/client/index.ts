// nestjs-sse-channels/client: the browser side. Imports nothing at run time
// (type-only imports of the package root are erased), so a page can load it
// with <script type="module">, and a bundler pulls in nothing else.
export type {
  EventSourceConstructor,
  EventSourceLike,
} from './event-source.js';
export type { SseResumeStorage } from './resume-storage.js';
export { SseClientError } from './sse-client.error.js';
export type { SseStreamEvent } from './sse-stream-event.js';
export type { SseStreamOptions } from './sse-stream-options.interface.js';
export {
  openSseStream,
  SseStream,
  type SseStreamData,
  type SseStreamEventType,
  type SseStreamState,
} from './sse-stream.js';
