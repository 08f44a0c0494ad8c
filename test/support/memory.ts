import v8 from 'node:v8';
import vm from 'node:vm';

// Jest's process runs without --expose-gc; a full collection is what makes a
// measure of retained memory mean something.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * What the process retains, after full garbage collections: `heap` (V8's,
 * strings and objects) and `external` (outside it: Buffers), in bytes.
 */
export function retainedMemory(): { heap: number; external: number } {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, external: usage.external };
}
