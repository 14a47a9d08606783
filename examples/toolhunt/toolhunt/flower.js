// toolhunt-flower: a dashboard page showing the API's state, fetched from $TOOLHUNT_API_URL (set by the local
// runtime; on Toolforge the API is reached through its service name).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 5555);
const api = process.env.TOOLHUNT_API_URL ?? 'http://toolhunt-api:8000';

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function page() {
  try {
    const [stats, tasks] = await Promise.all([
      fetch(`${api}/api/stats`).then((r) => r.json()),
      fetch(`${api}/api/tasks`).then((r) => r.json()),
    ]);
    const rows = tasks.map((t) => `<li>${t.done ? '✅' : '⬜'} #${t.id} ${escape(t.title)}</li>`).join('\n');
    return `<h1>toolhunt dashboard</h1>
<p>API ${escape(api)}: ${stats.open} open, ${stats.done} done, ${stats.cleanups} cleanups (up since ${escape(stats.started)})</p>
<ul>
${rows}
</ul>`;
  } catch (error) {
    return `<h1>toolhunt dashboard</h1><p>API ${escape(api)} unreachable: ${escape(error.message)}</p>`;
  }
}

const server = createServer(async (req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const body = await page();
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><meta charset="utf-8"><title>toolhunt flower</title>\n${body}\n`);
});
server.listen(port, '127.0.0.1', () =>
  console.log(`toolhunt-flower on http://127.0.0.1:${port}, api ${api}`),
);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
