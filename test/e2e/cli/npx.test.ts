/**
 * What a new user sees on the first `npx coord ...`: the machine's own npm and Node (not the
 * Node 22 this project brings), a fresh npm cache and home. Only the command's output may
 * appear; npm printed its EBADENGINE warning block twice before the help when the package's
 * `engines` asked for the bundled Node's version.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helpText } from '../../../cli/run-cli';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** PATH without this project's node_modules/.bin, so `npx` and `node` are the machine's. */
const machinePath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => entry !== '' && !entry.includes('node_modules'))
  .join(delimiter);

const machineNpx = machinePath
  .split(delimiter)
  .map((entry) => join(entry, 'npx'))
  .find((candidate) => existsSync(candidate));

const scratch = mkdtempSync(join(tmpdir(), 'coord-npx-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const firstNpx = (args: readonly string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolveRun, reject) => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const home = mkdtempSync(join(scratch, 'home-'));
    const child = spawn(machineNpx as string, [...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: machinePath, HOME: home, npm_config_cache: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });

describe.skipIf(machineNpx === undefined)('npx coord with the machine’s own npm and a fresh cache', () => {
  it('prints only the help for --help', async () => {
    const run = await firstNpx(['coord', '--help']);

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(helpText());
    expect(run.code).toBe(0);
  });

  it('prints only the usage error for an unknown command', async () => {
    const run = await firstNpx(['coord', 'nosuch']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("coord: unknown command 'nosuch' (coord help lists them)\n");
  });
});
