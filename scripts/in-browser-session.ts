/**
 * Real Chromium on the "in this browser" page, for the end-to-end test and `npm run bench:browser`:
 * the system's /usr/bin/chromium driven by playwright-core (no browser download), the page served by
 * serve-in-browser.ts, and every request the page makes recorded (URL, method, body size).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveInBrowser, type InBrowserServer } from './serve-in-browser.js';

export const CHROMIUM_PATH = process.env.LRSAL_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can. */
export function chromiumMissing(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
}

export interface PageRequest {
  url: string;
  method: string;
  /** Bytes of the request body (0 for a GET). */
  bodyBytes: number;
}

export interface InBrowserSession {
  readonly page: Page;
  readonly server: InBrowserServer;
  readonly requests: PageRequest[];
  close(): Promise<void>;
}

export async function openInBrowserPage(options: { isolate?: boolean; threads?: number } = {}): Promise<InBrowserSession> {
  const server = await serveInBrowser({ isolate: options.isolate !== false });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    const requests: PageRequest[] = [];
    page.on('request', (request) => requests.push({ url: request.url(), method: request.method(), bodyBytes: request.postDataBuffer()?.length ?? 0 }));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const query = options.threads ? `?threads=${options.threads}` : '';
    await page.goto(server.pageUrl + query);
    await page.waitForFunction(() => 'lrsalInBrowser' in globalThis, undefined, { timeout: 30_000 }).catch((error: Error) => {
      throw new Error(`the page did not start (${errors[0] ?? error.message}); was it built with npm run build?`);
    });
    const opened = browser;
    return {
      page,
      server,
      requests,
      async close() {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.close();
    throw error;
  }
}
