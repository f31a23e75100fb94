/**
 * What every bench table measures with: sequential latency, throughput and CPU at a fixed concurrency,
 * and medians. Shared by bench/run.ts and bench/read-scaling.ts.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Concurrent callers for every throughput figure. */
export const CONCURRENCY = 16;

export type Call = () => Promise<unknown>;

export async function latency(call: Call, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call();
    samples.push(performance.now() - t0);
  }
  return samples;
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * CPU time in µs of the server backends whose application_name is `app`, by pid, read from /proc (the
 * server runs on this machine, as root can read it); empty when it cannot be read.
 */
async function backendCpu(admin: pg.Client, app: string): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app]);
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
      ticks.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100);
    } catch {
      // Not local, or gone.
    }
  }
  return ticks;
}

/** `global.gc` when node runs with `--expose-gc` (`npm run bench` does). */
const collect = (globalThis as { gc?: () => void }).gc;

export async function throughput(call: Call, seconds: number, server?: { admin: pg.Client; app: string }): Promise<{ ops: number; cpuPerOp: number; serverCpuPerOp: number }> {
  // A full collection first, outside the measured time: otherwise a run pays for the garbage the run
  // before it left, and the sides take turns.
  collect?.();
  let ops = 0;
  const before = server ? await backendCpu(server.admin, server.app) : new Map<number, number>();
  const deadline = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await call();
        ops++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const after = server ? await backendCpu(server.admin, server.app) : new Map<number, number>();
  let serverCpu = 0;
  for (const [pid, used] of after) serverCpu += used - (before.get(pid) ?? 0);
  return { ops: ops / elapsed, cpuPerOp: (cpu.user + cpu.system) / ops, serverCpuPerOp: after.size > 0 ? serverCpu / ops : Number.NaN };
}
