/**
 * The dashboard in a real browser (headless Chromium through playwright-core) against a real server on
 * loopback with a SQLite store: the identity is the gateway's `x-toolforge-tool` header, as behind Toolforge's
 * API gateway. Screenshots of each page are saved to test-artifacts/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { planFromJson } from '../../../src/plan/read-plan-json.js';
import { renderPlanForCli } from '../../../src/cli/views/plan-view.js';
import { launchBrowser, screenshot, skipWithoutChromium } from '../../support/browser.js';
import {
  api,
  config,
  deploy,
  gateway,
  startDashboardServer,
  type DashboardServer,
} from '../../support/dashboard-kit.js';

const HOUR = 3_600_000;
const skip = skipWithoutChromium();
if (skip) console.log(`# ${skip}`);

describe('dashboard in a browser', { skip }, () => {
  let server: DashboardServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    server = await startDashboardServer({
      builds: { slow: { durationMs: HOUR }, stuck: { durationMs: 1000 * HOUR } },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A page signed in as `tool` (the gateway's header on every request, the event streams' too). */
  async function pageAs(tool: string): Promise<Page> {
    const context = await browser.newContext({
      extraHTTPHeaders: gateway(tool),
      viewport: { width: 1150, height: 760 },
    });
    contexts.push(context);
    return context.newPage();
  }

  test('the tool page lists every component with its state, drift and the undeployed changes', async () => {
    const tool = 'states';
    await deploy(server, tool, config(['web', 'worker', 'extra']), 30);
    const { jobs } = await server.runtime.observe(tool);
    const web = jobs.find((j) => j.name === 'web');
    assert.ok(web);
    // Drift: the job runs another command than the config says; unmanaged: a job nobody's config lists.
    await server.runtime.upsertJob(tool, {
      name: 'web',
      type: 'continuous',
      image: web.image,
      command: 'other',
      port: 8000,
    });
    await server.runtime.upsertJob(tool, {
      name: 'stray',
      type: 'continuous',
      image: web.image,
      command: 'x',
    });
    // The stored config drops `extra` (orphaned) and adds `fresh` (missing): not deployed yet.
    assert.equal(
      (await api(server, tool, 'POST', '/config', config(['web', 'worker', 'fresh']))).status,
      200,
    );

    const page = await pageAs(tool);
    const response = await page.goto(`${server.url}/tools/${tool}`);
    assert.equal(response?.status(), 200);
    const rows = await page.$$eval('table.components tbody tr', (trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-component'),
        tr.getAttribute('data-status'),
        tr.querySelector('.badge')?.textContent,
      ]),
    );
    assert.deepEqual(
      new Map(rows.map(([name, status]) => [name, status])),
      new Map([
        ['web', 'drifted'],
        ['worker', 'managed'],
        ['fresh', 'missing'],
        ['extra', 'orphaned'],
        ['stray', 'unmanaged'],
      ]),
    );
    // State is written, not only coloured.
    for (const [, status, badge] of rows) assert.match(String(badge), new RegExp(String(status)));
    const drift = await page.textContent('tr[data-component="web"] ul.drift');
    assert.match(String(drift), /command.*"web".*"other"|command.*"other".*"web"/);
    const banner = await page.textContent('.banner');
    assert.match(String(banner), /Undeployed changes/);
    assert.match(String(banner), /\+\s+fresh\s+create/);
    assert.equal(await page.locator('table.history tbody tr').count(), 1);
    await screenshot(page, 'dashboard-tool');
  });

  test('the deployment page draws one SVG node per task, in the state the store has', async () => {
    const tool = 'graph';
    const id = await deploy(
      server,
      tool,
      config(['api', 'flower', 'cleanup'], {
        flower: { build: { reuse_from: 'api' }, run: { command: 'flower', port: 5555 }, wait_for: ['api'] },
        cleanup: {
          component_type: 'scheduled',
          run: { command: 'cleanup', schedule: '@daily' },
          wait_for: ['api'],
        },
      }),
      30,
    );
    const page = await pageAs(tool);
    await page.goto(`${server.url}/tools/${tool}/deployments/${id}`);
    const nodes = await page.$$eval('svg.dag g.task', (gs) =>
      gs.map((g) => [
        g.getAttribute('data-task-id'),
        g.getAttribute('data-state'),
        g.querySelector('.task-state')?.textContent,
      ]),
    );
    const deployment = await server.instance.store.getDeployment(tool, id);
    const tasks = await server.instance.store.listTasks(id);
    assert.equal(deployment?.state, 'successful');
    assert.equal(nodes.length, tasks.length);
    assert.deepEqual(
      new Map(nodes.map(([task, state]) => [task, state])),
      new Map(tasks.map((t) => [t.id, t.state])),
    );
    for (const [, state, label] of nodes) assert.match(String(label), new RegExp(String(state)));
    // An edge per dependency, labelled with its condition.
    const edges = await page.$$eval('svg.dag g.edge', (gs) =>
      gs.map((g) => `${g.getAttribute('data-from')}>${g.getAttribute('data-to')}:${g.textContent}`),
    );
    assert.ok(edges.includes('deploy:api>deploy:flower:healthy'), edges.join(', '));
    assert.equal(await page.locator('table.timeline tbody tr').count(), tasks.length);
    await screenshot(page, 'dashboard-deployment-final');
  });

  test('a page opened mid-deployment follows it to its final state without a reload', async () => {
    const tool = 'live';
    const id = await deploy(server, tool, config(['slow', 'after'], { after: { wait_for: ['slow'] } }));
    const page = await pageAs(tool);
    await page.goto(`${server.url}/tools/${tool}/deployments/${id}`);
    await page.waitForSelector('.deployment[data-live="following"]');
    // The slow build runs until the runtime's clock moves on: the page is seen mid-deployment for sure.
    await page.waitForSelector('g.task[data-task-id="build:slow"][data-state="running"]');
    await page.waitForSelector('g.task[data-task-id="deploy:after"][data-state="waiting"]');
    assert.equal(await page.getAttribute('#deployment-state', 'data-state'), 'running');
    await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
    await screenshot(page, 'dashboard-deployment-live');
    server.advanceRuntimeClock(2 * HOUR);
    await page.waitForSelector('#deployment-state[data-state="successful"]', { timeout: 30_000 });
    await page.waitForSelector('.deployment[data-live="ended"]');
    assert.equal(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), true);
    const states = await page.$$eval('svg.dag g.task', (gs) => gs.map((g) => g.getAttribute('data-state')));
    assert.deepEqual(new Set(states), new Set(['succeeded']));
    assert.equal(await page.locator('.cancel').isHidden(), true);
    const ended = await page.textContent('tr[data-task-id="build:slow"] .finished');
    assert.match(String(ended), /\d\d:\d\d:\d\d/);
  });

  test('cancel from the page, after confirming, cancels the deployment', async () => {
    const tool = 'halt';
    const id = await deploy(server, tool, config(['stuck']));
    const page = await pageAs(tool);
    await page.goto(`${server.url}/tools/${tool}/deployments/${id}`);
    await page.waitForSelector('g.task[data-task-id="build:stuck"][data-state="running"]');
    await page.click('text=Cancel deployment…');
    await page.waitForSelector('#cancel-dialog[open]');
    await screenshot(page, 'dashboard-cancel-dialog');
    await page.click('#confirm-cancel');
    await page.waitForSelector('#deployment-state[data-state="cancelled"]', { timeout: 30_000 });
    assert.equal((await server.instance.store.getDeployment(tool, id))?.state, 'cancelled');
    await page.waitForSelector('g.task[data-task-id="build:stuck"][data-state="cancelled"]');
  });

  test('the plan view shows the plan as the CLI prints it, and deploys exactly that plan', async () => {
    const tool = 'planned';
    const text = stringify(config(['api', 'worker'], { worker: { wait_for: ['api'] } }));
    const page = await pageAs(tool);
    await page.goto(`${server.url}/tools/${tool}/plan`);
    await page.fill('#config', text);
    await page.click('text=Show the plan');
    await page.waitForSelector('#plan-text');
    const shown = await page.textContent('#plan-text');
    const onlyPlan = await fetch(`${server.url}/v1/tool/${tool}/deploy?only-plan=true`, {
      method: 'POST',
      headers: { ...gateway(tool), 'content-type': 'application/yaml' },
      body: text,
    });
    const cli = renderPlanForCli(planFromJson(((await onlyPlan.json()) as { data: unknown }).data), {
      json: false,
      color: false,
    });
    assert.equal(shown, cli);
    await screenshot(page, 'dashboard-plan');
    const planId = await page.inputValue('input[name="plan_id"]');
    await page.click('#deploy-plan');
    await page.waitForSelector('#deployment-state[data-state="successful"]', { timeout: 30_000 });
    const id = new URL(page.url()).pathname.split('/').pop() ?? '';
    assert.equal((await server.instance.store.getDeployment(tool, id))?.plan.id, planId);
  });

  test('a plan that went stale before "Deploy this plan" is refused, and nothing is deployed', async () => {
    const tool = 'stale';
    const page = await pageAs(tool);
    await page.goto(`${server.url}/tools/${tool}/plan`);
    await page.fill('#config', stringify(config(['api'])));
    await page.click('text=Show the plan');
    const planId = await page.inputValue('input[name="plan_id"]');
    // What runs changes in between: the plan shown is no longer what a deploy would do.
    await server.runtime.upsertJob(tool, { name: 'api', type: 'continuous', image: 'other', command: 'web' });
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#deploy-plan')]);
    assert.equal(response?.status(), 409);
    assert.match(String(await page.textContent('ul.messages.error')), new RegExp(planId));
    assert.deepEqual(await server.instance.store.listDeployments(tool), []);
  });

  test("a page for tool B with tool A's identity is refused and shows nothing of B", async () => {
    const id = await deploy(server, 'tool-b', config(['secret-b']), 30);
    const page = await pageAs('tool-a');
    for (const path of ['/tools/tool-b', `/tools/tool-b/deployments/${id}`, '/tools/tool-b/plan']) {
      const response = await page.goto(`${server.url}${path}`);
      assert.equal(response?.status(), 403, path);
      assert.doesNotMatch(await page.content(), /secret-b/, path);
    }
    await page.goto(`${server.url}/`);
    assert.deepEqual(await page.$$eval('ul.tool-list a', (as) => as.map((a) => a.textContent)), ['tool-a']);
  });
});
