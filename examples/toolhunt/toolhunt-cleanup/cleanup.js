// toolhunt-cleanup: asks the API to forget finished tasks, prints what it did and exits (0 = success).
const api = process.env.TOOLHUNT_API_URL ?? 'http://toolhunt-api:8000';

try {
  const res = await fetch(`${api}/api/cleanup`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const result = await res.json();
  console.log(`cleanup done: removed ${result.removed} finished task(s), cleanup #${result.cleanups}`);
} catch (error) {
  console.error(`cleanup failed: cannot reach ${api}: ${error.message}`);
  process.exit(1);
}
