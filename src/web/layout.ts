/**
 * The page shell: one stylesheet and one script, both served from the package (no CDN, no inline script or
 * style: the Content-Security-Policy forbids them). Light and dark schemes follow the system's.
 */
import { html, type Html, type HtmlValue } from './html.js';

export const ASSET_PREFIX = '/dashboard-assets';

export interface PageOptions {
  readonly title: string;
  /** Breadcrumbs after "Tools": [label, href?]. */
  readonly trail?: readonly (readonly [string, string?])[];
}

export function page(options: PageOptions, body: HtmlValue): Html {
  const crumbs = (options.trail ?? []).map(
    ([label, href]) =>
      html`<li>
        ${href ? html`<a href="${href}">${label}</a>` : html`<span aria-current="page">${label}</span>`}
      </li>`,
  );
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>${options.title} · toolforge-components</title>
        <link rel="stylesheet" href="${ASSET_PREFIX}/dashboard.css" />
        <script type="module" src="${ASSET_PREFIX}/dashboard.js"></script>
      </head>
      <body>
        <header class="site">
          <nav aria-label="Breadcrumb">
            <ol>
              <li><a href="/">Tools</a></li>
              ${crumbs}
            </ol>
          </nav>
        </header>
        <main id="main">${body}</main>
      </body>
    </html> `;
}

export function errorPage(status: number, message: string): Html {
  return page(
    { title: `Error ${status}` },
    html`<h1>Error ${status}</h1>
      <p class="error" role="alert">${message}</p>`,
  );
}
