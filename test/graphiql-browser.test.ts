/**
 * GraphiQL as a person uses it, in a real headless Chromium (Debian's, driven by
 * playwright-core): the page loads from the gateway alone, runs a query with a bearer token from
 * the headers editor, and shows a live `messageAdded` event over graphql-ws. The screenshot goes
 * to test-output/. Then the first hour's tabs: they open with the example operations and working
 * variables, and running the Login tab once signs every tab in.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createChannel, post } from './support/messages';
import { signUp, type SignedIn } from './support/seed';
import { startGateway, startStack, testGatewayConfig, type Stack } from './support/stack';
import { writeGraphiQLTabs } from '../dev/graphiql-tabs';
import { seedDemo } from '../dev/seed-demo';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', 'test-output');

let stack: Stack;
let browser: Browser;
let admin: SignedIn;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  stack = await startStack();
  admin = await signUp(stack.gatewayUrl);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Types a document the way a person does (GraphiQL re-parses it after each edit). */
async function runInGraphiQL(page: Page, text: string): Promise<void> {
  // Browser-side code is passed as strings: this file is compiled without the DOM library.
  await page.evaluate(
    `document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(${JSON.stringify(text)})`,
  );
  await page.waitForTimeout(500);
  await page.click('.graphiql-execute-button');
}

// A function, not a string: the page's CSP forbids evaluating strings (as it should).
const resultContains = (page: Page, text: string) =>
  page.waitForFunction(
    (wanted) =>
      (globalThis as any).document.querySelector('.result-window')?.textContent?.includes(wanted),
    text,
  );

/** The result pane's text, from its CodeMirror (innerText would include fold markers). */
const result = async (page: Page) =>
  JSON.parse(
    (await page.evaluate(
      `document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()`,
    )) as string,
  ) as unknown;

it('runs a query and shows a live subscription event, loading nothing from outside', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
  const origin = new URL(stack.gatewayUrl).origin;
  const foreign: string[] = [];
  context.on('request', (request) => {
    if (!request.url().startsWith(origin)) foreign.push(request.url());
  });
  // The headers editor's content, as GraphiQL persists it between visits.
  await context.addInitScript({
    content: `localStorage.setItem('graphiql:headers', ${JSON.stringify(JSON.stringify({ Authorization: admin.headers.authorization }))})`,
  });
  const page = await context.newPage();
  await page.goto(stack.gatewayUrl);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');

  await runInGraphiQL(page, `query Me { me { username role } }`);
  await resultContains(page, '"role"');
  expect(await result(page)).toEqual({
    data: { me: { username: admin.user.username, role: 'ADMIN' } },
  });

  const channel = await createChannel(stack.gatewayUrl, admin, { kind: 'PUBLIC' });
  await runInGraphiQL(
    page,
    `subscription Chat { messageAdded(channelId: "${channel.id}") { body author { username } channel { name } } }`,
  );
  // The subscription is live once the gateway has one open upstream.
  const gateway = stack.gateways[0]!.service;
  // (Up to 20 s: under a loaded CI machine GraphiQL can take seconds to send it.)
  for (let i = 0; i < 400 && gateway.subscriptionStats().upstreamSubscriptions === 0; i++) {
    await page.waitForTimeout(50);
  }
  expect(gateway.subscriptionStats().upstreamSubscriptions).toBeGreaterThan(0);
  const posted = await post(stack.gatewayUrl, admin, channel.id, 'Hello from the other side');
  await resultContains(page, 'Hello from');
  expect(await result(page)).toEqual({
    data: {
      messageAdded: {
        body: 'Hello from the other side',
        author: { username: admin.user.username },
        channel: { name: channel.name },
      },
    },
    extensions: { resumeCursor: posted.cursor },
  });

  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, 'graphiql-subscription.png') });
  expect(foreign).toEqual([]);
  await context.close();
}, 60_000);

it('opens the example tabs with their variables; one login signs in every tab', async () => {
  // As `npm start` does: the demo seeded, the example tabs written with its ids.
  const demo = await seedDemo(stack.gatewayUrl);
  const tabsDir = mkdtempSync(join(tmpdir(), 'opsgraph-tabs-'));
  writeGraphiQLTabs(join(__dirname, '..', 'examples', 'operations'), tabsDir, demo);
  const gateway = await startGateway(
    testGatewayConfig({ ...stack.gatewayConfig, graphiqlTabsDir: tabsDir }),
  );
  const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
  try {
    const page = await context.newPage();
    await page.goto(gateway.url);
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    const tab = (title: string) =>
      page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${title}$`) }).click();
    /** Runs `operation` of the open tab (a tab with several asks which one). */
    const run = async (operation: string, several: boolean) => {
      await page.waitForTimeout(300);
      await page.click('.graphiql-execute-button');
      if (several) await page.getByRole('menuitem', { name: operation }).click();
    };
    // The page opened on the Credentials panel: nobody is signed in yet.
    await expect(page.getByTestId('credential-status').textContent()).resolves.toMatch(
      /^Not signed in/,
    );

    await tab('Login');
    await run('Login', true);
    await resultContains(page, 'accessToken');
    await expect(page.getByTestId('credential-status').textContent()).resolves.toContain(
      `Authorization for ${demo.username}`,
    );

    // Another tab, with no header of its own, is signed in too.
    await tab('Me');
    await run('Me', false);
    await resultContains(page, '"username"');
    expect(await result(page)).toMatchObject({ data: { me: { username: demo.username } } });

    // And its variables name the demo's #general channel.
    await tab('ChatChannel');
    await run('ChatChannel', true);
    await resultContains(page, 'Welcome to #general');
    expect(await result(page)).toMatchObject({
      data: { channel: { id: demo.channelId, name: 'general' } },
    });
  } finally {
    await context.close();
    await gateway.stop();
    rmSync(tabsDir, { recursive: true, force: true });
  }
}, 90_000);
