export { registerSseMetrics, type SseMetricsOptions } from './sse-metrics.js';
