/**
 * The dashboard of a local instance (the local runtime, as `up` runs it) in headless Chromium, with no
 * identity header and no login: the tool list, the tool page with what really runs, and the log panel
 * following a real component's job log and build log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { openE2e, type E2e } from '../../support/local-e2e.js';
import { toolConfig } from '../../support/local-e2e-config.js';
import { launchBrowser, screenshot, skipWithoutChromium } from '../../support/browser.js';

const skip = skipWithoutChromium();

describe('local instance dashboard in a browser', { skip }, () => {
  let e2e: E2e;
  let browser: Browser;
  let page: Page;
  let deploymentId: string;

  before(async () => {
    e2e = await openE2e('localweb');
    const outcome = await e2e.deploy(await toolConfig(e2e));
    assert.equal(outcome.status, 'successful', outcome.longStatus);
    deploymentId = outcome.id;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1150, height: 760 } });
  });
  after(async () => {
    await browser?.close();
    await e2e?.close();
  });

  test('needs no login: the tool list links to the tool page, which shows what runs', async () => {
    const response = await page.goto(`${e2e.instance.url}/`);
    assert.equal(response?.status(), 200);
    await page.click('ul.tool-list a:text-is("localweb")');
    await page.waitForSelector('table.components');
    const statuses = await page.$$eval('table.components tbody tr', (trs) =>
      trs.map(
        (tr) => [tr.getAttribute('data-component') ?? '', tr.getAttribute('data-status') ?? ''] as const,
      ),
    );
    assert.deepEqual(
      new Map(statuses),
      new Map([
        ['api', 'managed'],
        ['flower', 'managed'],
        ['cleanup', 'managed'],
      ]),
    );
    const published = await page.getAttribute(
      'tr[data-component="api"] a[href^="http://127.0.0.1:"]',
      'href',
    );
    assert.equal(published, `http://127.0.0.1:${await e2e.port('api')}/`);
    assert.equal(await page.locator('.banner').count(), 0);
    await screenshot(page, 'dashboard-local-tool');
  });

  test("the log panel follows a task's job log and its build log", async () => {
    await page.goto(`${e2e.instance.url}/tools/localweb/deployments/${deploymentId}`);
    await page.focus('g.task[data-task-id="deploy:api"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#log-lines:has-text("node server.js")');
    assert.equal(await page.inputValue('#log-source'), 'api|job');
    await screenshot(page, 'dashboard-local-deployment');
    await page.click('g.task[data-task-id="build:api"]');
    assert.equal(await page.inputValue('#log-source'), 'api|build');
    await page.waitForSelector('#log-lines:not(:empty)');
    assert.doesNotMatch(String(await page.textContent('#log-lines')), /has no build log/);
  });
});
