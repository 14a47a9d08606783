/**
 * A bench child process whose time is warped: `node --import tsx bench/warped.ts <module>` warps time first
 * (before anything reads it), then runs `main(warp)` of `bench/<module>.ts`. BENCH_WARP (default 10) is how
 * many times faster time runs.
 */
import { warpTime } from './time-warp.js';

const name = process.argv[2];
if (!name || !/^[a-z-]+$/.test(name)) throw new Error('usage: warped.ts <bench module name>');
const warp = Number(process.env['BENCH_WARP'] ?? 10);
warpTime(warp);
const { main } = (await import(`./${name}.js`)) as { main(warp: number): Promise<void> };
await main(warp);
