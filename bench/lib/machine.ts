/** Facts about the machine a result was measured on, stored with every results file. */
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineFacts {
  readonly node: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly memoryMiB: number;
  /** One-minute load average when the run started: how busy the shared machine was. */
  readonly loadAverage: number;
}

export function machineFacts(): MachineFacts {
  const list = cpus();
  return {
    node: process.version,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    platform: process.platform,
    arch: process.arch,
    osRelease: release(),
    memoryMiB: Math.round(totalmem() / 1024 / 1024),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}
