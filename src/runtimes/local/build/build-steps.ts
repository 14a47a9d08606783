/**
 * Buildpack-style detection of what a source needs before it can run. Steps run in the image's staging
 * directory, in this order: install Node.js dependencies, create the Python virtualenv, then the project's own
 * build script. A project file with nothing to install is skipped, so examples build without any network.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuildStep {
  readonly name: string;
  /** Run with `/bin/sh -c` in the staging directory. */
  readonly command: string;
}

export interface DetectedSteps {
  readonly steps: readonly BuildStep[];
  /** Why a project file did not give a step (shown in the build log). */
  readonly notes: readonly string[];
}

function hasNodeDependencies(dir: string): boolean {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  return ['dependencies', 'devDependencies', 'optionalDependencies'].some((field) => {
    const deps = manifest[field];
    return typeof deps === 'object' && deps !== null && Object.keys(deps).length > 0;
  });
}

function hasRequirements(dir: string): boolean {
  return readFileSync(join(dir, 'requirements.txt'), 'utf8')
    .split('\n')
    .some((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

export function detectBuildSteps(dir: string): DetectedSteps {
  const steps: BuildStep[] = [];
  const notes: string[] = [];
  if (existsSync(join(dir, 'package.json'))) {
    if (!hasNodeDependencies(dir)) notes.push('package.json declares no dependencies: npm install skipped');
    else if (existsSync(join(dir, 'package-lock.json'))) {
      steps.push({ name: 'npm ci', command: 'npm ci --no-audit --no-fund' });
    } else steps.push({ name: 'npm install', command: 'npm install --no-audit --no-fund' });
  }
  if (existsSync(join(dir, 'requirements.txt'))) {
    steps.push({ name: 'python venv', command: 'python3 -m venv .venv' });
    if (hasRequirements(dir)) {
      steps.push({
        name: 'pip install',
        command: '.venv/bin/pip install --disable-pip-version-check --no-input -r requirements.txt',
      });
    } else notes.push('requirements.txt lists nothing: pip install skipped');
  }
  for (const script of ['bin/build', 'build.sh']) {
    if (existsSync(join(dir, script))) {
      steps.push({ name: script, command: `sh ./${script}` });
      break;
    }
  }
  return { steps, notes };
}
