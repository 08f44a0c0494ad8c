/**
 * A delay drawn uniformly between `ms` and 1.5 × `ms`, so that clients told
 * to come back do not all come back together. Half again spreads a crowd
 * over a window as long as half the delay, while no client waits more than
 * half as long again as it was asked to.
 */
export function jittered(ms: number): number {
  return Math.round(ms + Math.random() * ms * 0.5);
}
