import v8 from 'node:v8';
import vm from 'node:vm';

// Jest's process runs without --expose-gc; a full collection is what makes a
// measure of retained memory mean something (the flag is read when a context
// is made, so the collector is reached through a new one).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * What the process retains, after full garbage collections: `heap` (V8's,
 * strings and objects) and `external` (outside it: Buffers), in bytes. Tests
 * compare it before and after, to tell retained memory from garbage not
 * collected yet (which the process's RSS counts too).
 */
export function retainedMemory(): { heap: number; external: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}

/** {@link retainedMemory}'s heap and external bytes together. */
export function retainedBytes(): number {
  const { heap, external } = retainedMemory();
  return heap + external;
}
