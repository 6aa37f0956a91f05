/**
 * CPU time of the processes a loop runs on, read from the OS: this process (`process.cpuUsage`)
 * and the embedded DynamoDB Local (its Java process, found by the port it listens on, through
 * `/proc` on Linux). CPU per cycle is the figure that survives a busy machine: throughput falls
 * when other work shares the cores, the CPU a cycle costs much less.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on every Linux Node runs on). */
const TICKS_PER_SECOND = 100;

/** The pid of the DynamoDB Local listening on `endpoint`'s port, when `/proc` shows one. */
export const dynamoLocalPid = (endpoint: string): number | undefined => {
  const port = new URL(endpoint).port;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const portAt = args.indexOf('-port');
      if (args.some((arg) => arg.endsWith('DynamoDBLocal.jar')) && args[portAt + 1] === port)
        return Number(pid);
    } catch {
      // The process ended while it was looked at.
    }
  }
  return undefined;
};

/** User plus system CPU milliseconds `pid` has used so far, or undefined when it cannot be read. */
export const processCpuMs = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
};

/** CPU milliseconds used since the call, per process: `own` (this one) and `store` (DynamoDB Local). */
export const cpuSince = (storePid: number | undefined): (() => { own: number; store?: number }) => {
  const own = process.cpuUsage();
  const store = storePid === undefined ? undefined : processCpuMs(storePid);
  return () => {
    const used = process.cpuUsage(own);
    const storeNow = storePid === undefined ? undefined : processCpuMs(storePid);
    return {
      own: (used.user + used.system) / 1000,
      ...(store !== undefined && storeNow !== undefined && { store: storeNow - store }),
    };
  };
};
