import { setFlagsFromString } from 'node:v8'

/**
 * How far V8 lets the old generation grow past what survived a full GC before the next one:
 * twice it. V8 picks 1.1 to 4 times by its own measure, and chose so little for a run's
 * profile (each pass of pools keeps its calls, results and promises for a few rounds, then
 * drops them all) that a 10,000-pool run made a hundred full GCs, a fifth of its CPU:
 * `npm run bench:run` took 45 to 52 s, and 36 to 41 s with this, at some 25 MB more peak RSS.
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=100'

/**
 * Sets the report's garbage collector flag in this process. It cannot go in the function's
 * `NODE_OPTIONS` with the young generation's size (`REPORT_V8_FLAGS`): Node allows only a list
 * of V8 flags there and refuses to start on any other. V8 reads this one whenever it sizes the
 * heap after a full GC, so setting it as the process starts is as good as the command line.
 * Call it once from each entry point that runs reports (the Lambda handler, the CLI).
 */
export function tuneGarbageCollector(): void {
  setFlagsFromString(HEAP_GROWING_FLAG)
}
