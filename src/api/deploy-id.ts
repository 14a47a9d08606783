/** Upstream's deployment id `<YYYYmmdd-HHMMSS>-<10 chars [a-z0-9]>` (UTC) and its `creation_time`. */
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const DEPLOY_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9]{10}$/;

/** `20261124-175944` from an ISO time. */
export function creationTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

export function newDeployId(now: Date): string {
  let suffix = '';
  for (let i = 0; i < 10; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${creationTime(now.toISOString())}-${suffix}`;
}
