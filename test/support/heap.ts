import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** V8's collector, reachable without `node --expose-gc` (the flag is read when a context is made). */
const collectGarbage = vm.runInNewContext('gc') as () => void;

/**
 * The bytes the process holds on its JavaScript heap and in buffers once
 * everything unreachable has been collected: what a test compares before and
 * after, to tell retained memory from garbage not collected yet.
 */
export function retainedBytes(): number {
  collectGarbage();
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}
