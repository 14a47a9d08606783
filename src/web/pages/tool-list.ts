/** `/`: the tools this viewer may see: every tool of the local instance, or the gateway's one tool. */
import type { ApiContext } from '../../api/context.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import type { Viewer } from '../identity.js';

export async function toolListPage(ctx: ApiContext, viewer: Viewer): Promise<Html> {
  const tools =
    viewer.kind === 'gateway' ? [viewer.tool] : (await ctx.store.listConfigs()).map((c) => c.tool);
  const items = tools.map((tool) => html`<li><a href="/tools/${encodeURIComponent(tool)}">${tool}</a></li>`);
  return page(
    { title: 'Tools' },
    html`<h1>Tools</h1>
      ${
        tools.length === 0
          ? html`<p>No tool has a config yet: deploy one with <code>toolforge-components up FILE</code>.</p>`
          : html`<ul class="tool-list">
              ${items}
            </ul>`
      }`,
  );
}
