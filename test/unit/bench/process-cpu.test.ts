import { describe, expect, it } from 'vitest';
import { cpuSince, dynamoLocalPid, processCpuMs } from '../../../bench/process-cpu';

/** Spends at least `ms` of CPU in this process (however long that takes on a busy machine). */
const busy = (ms: number) => {
  const start = process.cpuUsage();
  let spins = 0;
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return spins;
    spins += 1;
  }
};

describe('the bench CPU readings', () => {
  it("reads a process's CPU time from /proc, and it grows as the process works", () => {
    const before = processCpuMs(process.pid);
    expect(before).toBeGreaterThanOrEqual(0);
    busy(60);
    expect(processCpuMs(process.pid)).toBeGreaterThan(before ?? 0);
  });

  it('reads nothing for a process that does not exist', () => {
    expect(processCpuMs(2 ** 22 + 1)).toBeUndefined();
  });

  it('finds no DynamoDB Local on a port none listens on', () => {
    expect(dynamoLocalPid('http://127.0.0.1:1')).toBeUndefined();
  });

  it('counts the CPU used since the call, without a store process when there is none', () => {
    const used = cpuSince(undefined);
    busy(40);
    const { own, store } = used();
    expect(own).toBeGreaterThanOrEqual(30);
    expect(store).toBeUndefined();
  });

  it("counts another process's CPU since the call when given its pid", () => {
    const used = cpuSince(process.pid);
    busy(40);
    expect(used().store).toBeGreaterThanOrEqual(0);
  });
});
