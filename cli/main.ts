#!/usr/bin/env tsx
/**
 * Entry point of the `coord` command (package.json `bin`; runs with tsx). Everything else is
 * in `run-cli.ts`, which tests drive with their own streams and environment.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runCli } from './run-cli';

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

process.exitCode = await runCli(process.argv.slice(2), {
  io: {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin,
    isStderrTty: process.stderr.isTTY === true,
    env: process.env,
    now: () => new Date(),
    sleep: (milliseconds) => delay(milliseconds),
  },
});
