export { SseHealthIndicator } from './sse-health.indicator.js';
