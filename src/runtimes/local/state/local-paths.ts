/**
 * The layout of the data directory. Nothing else builds paths under it, so the layout is documented here:
 *
 *   images/<key>/                 immutable image (source snapshot + build output), key = sha256(repo+commit+flags)
 *   images/.staging/              builds in progress (renamed into images/ when they succeed)
 *   state/<tool>/builds.json      build records
 *   state/<tool>/jobs.json        job specs (what `start()` brings back)
 *   state/<tool>/runs/<job>.json  scheduled runs (exit code, duration, start time, log file)
 *   state/pids.json               process groups alive, to clean up after a daemon that died uncleanly
 *   logs/<tool>/<job>.log         job log, every line prefixed with its replica or run
 *   logs/<tool>/builds/<id>.log   build logs
 *   logs/<tool>/runs/<job>/<run>.log
 *   tools/<tool>/data/            TOOL_DATA_DIR of the tool's processes
 */
import { join } from 'node:path';
import { RuntimeError } from '../../runtime.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/** Tool, job and build names become path segments: refuse anything that could escape the data directory. */
export function assertSafeName(what: string, name: string): void {
  if (!SAFE_NAME.test(name) || name.includes('..')) {
    throw new RuntimeError('rejected', `invalid ${what} name '${name}'`);
  }
}

export class LocalPaths {
  constructor(readonly root: string) {}

  get imagesDir(): string {
    return join(this.root, 'images');
  }
  get stagingDir(): string {
    return join(this.root, 'images', '.staging');
  }
  image(key: string): string {
    return join(this.root, 'images', key);
  }
  get stateRoot(): string {
    return join(this.root, 'state');
  }
  get pidsFile(): string {
    return join(this.root, 'state', 'pids.json');
  }
  buildsFile(tool: string): string {
    return join(this.root, 'state', tool, 'builds.json');
  }
  jobsFile(tool: string): string {
    return join(this.root, 'state', tool, 'jobs.json');
  }
  runsFile(tool: string, job: string): string {
    return join(this.root, 'state', tool, 'runs', `${job}.json`);
  }
  jobLog(tool: string, job: string): string {
    return join(this.root, 'logs', tool, `${job}.log`);
  }
  buildLog(tool: string, buildId: string): string {
    return join(this.root, 'logs', tool, 'builds', `${buildId}.log`);
  }
  runLog(tool: string, job: string, runId: string): string {
    return join(this.root, 'logs', tool, 'runs', job, `${runId}.log`);
  }
  toolDataDir(tool: string): string {
    return join(this.root, 'tools', tool, 'data');
  }
}
