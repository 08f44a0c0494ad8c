/**
 * A channel history's limits, checked: how many events it keeps, and for how
 * long. The sink gives them per channel (`TransportSink.historyOf`); a
 * transport keeps at most `size` events of the channel, and none older than
 * `maxAgeMs`.
 * @publicApi
 */
export interface HistoryLimits {
  /** Events kept; `0` keeps none (a client that missed any is reset). */
  readonly size: number;
  /** Age past which an event is no longer replayed, in ms; `undefined` for no limit. */
  readonly maxAgeMs: number | undefined;
}
