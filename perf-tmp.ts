import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfigObject } from './src/config/load.js';
for (const n of [10000, 30000]) {
const obj = parse(readFileSync(`/tmp/b${n}.yaml`, 'utf8'));
for (let i = 0; i < 3; i++) {
const t0 = performance.now();
loadConfigObject(obj);
console.log(n, (performance.now() - t0).toFixed(0));
}}
