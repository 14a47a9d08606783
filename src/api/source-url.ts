/**
 * Upstream's `source_url`: when a stored config names one, the config is fetched from there (on every set and
 * every deploy) and replaces the posted one. Any failure is upstream's 400 "Unable to retrive config …".
 */
import { apiError } from './api-errors.js';
import { loadConfigText, type InputLimits, type LoadedConfig } from './config-input.js';

/** Upstream's placeholder meaning "no source URL". */
const PLACEHOLDER = 'http://localhost/';
const FETCH_TIMEOUT_MS = 10_000;
const MAX_SOURCE_BYTES = 1024 * 1024;

export function needsSourceFetch(sourceUrl: string | undefined): sourceUrl is string {
  return sourceUrl !== undefined && sourceUrl !== '' && sourceUrl !== PLACEHOLDER;
}

export async function fetchSourceConfig(url: string, limits: InputLimits): Promise<LoadedConfig> {
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { 'user-agent': 'Toolforge components-api' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      redirect: 'follow',
    });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`.trim());
    text = await response.text();
    if (text.length > MAX_SOURCE_BYTES)
      throw new Error(`the document is larger than ${MAX_SOURCE_BYTES} bytes`);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw apiError(
      'CMP_ERR_SOURCE_URL',
      url,
      `${error instanceof Error ? error.message : String(error)}${cause}`,
    );
  }
  try {
    return loadConfigText(text, undefined, limits);
  } catch (error) {
    const detail =
      error instanceof Error && 'messages' in error
        ? (error as { messages: string[] }).messages.join('; ')
        : String(error);
    throw apiError('CMP_ERR_SOURCE_URL', url, detail);
  }
}
