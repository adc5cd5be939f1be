import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
const SCREENSHOT_DIR = join(import.meta.dirname, '..', '__screenshots__');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and CSP violations seen so far (a passing test expects none). */
  problems: string[];
}

/**
 * A fresh, isolated browser profile (own cookies) with one page. Records uncaught errors and CSP reports;
 * fails the test on any dialog (an `alert` would mean injected script ran).
 */
export async function openPage(browser: Browser, baseURL: string, viewport = { width: 1200, height: 800 }) {
  const context = await browser.newContext({ baseURL, viewport });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`csp: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { context, page, problems } satisfies TestPage;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

/**
 * Lets a test cut the page's WebSockets from outside the app, the way a dropped connection looks to it:
 * records every socket the page opens (the app itself is unchanged).
 */
export const TRACK_SOCKETS = `(() => {
  const Native = window.WebSocket;
  const sockets = [];
  window.__testSockets = sockets;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      sockets.push(this);
    }
  };
})();`;

export const CLOSE_SOCKETS = 'window.__testSockets.forEach((socket) => socket.close(4000, "test")); 0';
export const OPEN_SOCKETS = 'window.__testSockets.filter((socket) => socket.readyState === 1).length';
