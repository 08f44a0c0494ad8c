export {
  SseTestClient,
  type SseTestEvent,
  type SseTestClientOptions,
  type SseTestClientState,
} from './sse-test-client.js';
export { SseStreamParser, type ParsedSseEvent } from './sse-stream-parser.js';
