/**
 * Node flags of the local runtime's process: `npm start`, `npm run bench` (which runs the stack
 * in its own process) and the child processes tests and benchmarks start (`test/support/local-stack.ts`).
 * One process there runs the HTTP gateway, every handler, the stream and queue consumers and the
 * SQS emulator, so what each request costs in CPU caps the whole stack (README, "Performance").
 *
 * - `--experimental-async-context-frame`: every handler invocation runs inside an
 *   AsyncLocalStorage context (`withMessageOrigin`, `functions/shared/observability.ts`), which on
 *   Node 22 otherwise turns on promise hooks for every promise the process creates from then on
 *   (about 9 % more CPU per store call, `bench/store-call-cpu.ts`). With the flag the context
 *   follows the awaits without hooks, as Node 24 does by default. Node refuses it in
 *   `NODE_OPTIONS`, so it cannot be set for Lambda that way.
 * - `--max-semi-space-size`: a larger young generation, so the many short-lived objects of
 *   hundreds of requests in flight at once die before a scavenge has to copy them.
 */
export const LOCAL_NODE_FLAGS: readonly string[] = [
  '--experimental-async-context-frame',
  '--max-semi-space-size=32',
];
