/**
 * Headless Chromium for the dashboard's browser tests: Debian's `chromium` (or `CHROMIUM_PATH`), driven by
 * playwright-core, which downloads nothing. Without a binary the tests skip, saying so; `.ci/run` installs it.
 * Screenshots go to test-artifacts/ (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ARTIFACTS_DIR = join(process.cwd(), 'test-artifacts');

export function chromiumPath(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH: try the next name
    }
  }
  return undefined;
}

/** The reason to skip, or false: node:test's `skip` option takes either. */
export function skipWithoutChromium(): string | false {
  return chromiumPath()
    ? false
    : 'no chromium binary (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped';
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no chromium binary');
  // --no-sandbox: CI runs as root, where Chromium refuses its sandbox.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
