/** Runs `bench/<module>.ts` in a child process with time warped ×`warp` (see warped.ts, time-warp.ts). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function warpedChild(module: string, warp: number): Promise<void> {
  const script = fileURLToPath(new URL('./warped.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, module], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_WARP: String(warp) },
    });
    proc.once('error', reject);
    proc.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bench ${module} (time ×${warp}) exited ${code}`)),
    );
  });
}
