/**
 * Local repositories (a plain directory or a git checkout, written as a path in the seed dialect) are relative
 * to the config file, not to wherever the command runs; this makes them absolute once the file is known.
 */
import { resolve } from 'node:path';
import { isRepositoryUrl } from './repository.js';
import type { Component, ToolConfig } from '../model/tool-config.js';

export function resolveRepositoryPaths(config: ToolConfig, baseDir: string): ToolConfig {
  let changed = false;
  const components = config.components.map((component): Component => {
    const build = component.build;
    if (build.kind !== 'source' || isRepositoryUrl(build.repository)) return component;
    const repository = resolve(baseDir, build.repository);
    if (repository === build.repository) return component;
    changed = true;
    return { ...component, build: { ...build, repository } };
  });
  return changed ? { ...config, components } : config;
}
