export {
  SseTestClient,
  type SseTestEvent,
  type SseTestClientOptions,
} from './sse-test-client.js';
export { SseStreamParser, type ParsedSseEvent } from './sse-stream-parser.js';
