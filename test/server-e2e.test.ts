/**
 * The page in a real Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser download):
 * upload a photo, start a job, see progress and a preview, see the final overlay, reload and find the job in
 * the history. Saves docs/screenshot.png (the README's picture).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExplanationServer } from '../src/server/explanations/app.js';
import { kitten, repoRoot, tempDir } from './helpers/files.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run', '--disable-sync'];

test('page: upload, start, live preview, result, reload, history', { skip: !existsSync(CHROMIUM) && `no ${CHROMIUM} (apt-get install chromium)`, timeout: 180_000 }, async () => {
  const { chromium } = await import('playwright-core');
  // A bundled photo: the screenshot is committed, and dev photos may never be (../shared/assets/README.md).
  const photo = kitten;
  const server = await createExplanationServer({ dataDir: tempDir(), concurrency: 1 });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1380, height: 900 }, deviceScaleFactor: 1 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#model option', { state: 'attached' });

    // Upload a photo; the target list fills with the model's top-5.
    await page.setInputFiles('#file', photo);
    await page.waitForFunction("document.querySelectorAll('#target option').length > 2");
    const firstTarget = await page.locator('#target option').first().textContent();
    assert.match(firstTarget ?? '', /%/, 'the target list shows the model’s top predictions');
    await setRange(page, '#queries', 300);
    await page.click('#start');

    // Live: queries count up before the end, and a preview map arrives before the final one.
    const card = page.locator('.card').first();
    await page.waitForFunction("/^[1-9][\\d,]* \\/ 300 queries/.test(document.querySelector('.card .progress-text')?.textContent ?? '')");
    await page.waitForFunction("document.querySelector('.card .placeholder')?.textContent?.startsWith('preview after round')", undefined, { timeout: 60_000 });
    assert.equal(await card.getAttribute('data-status'), 'running', 'a preview is shown while the job runs');
    await page.waitForSelector('.card.final[data-status="done"]', { timeout: 120_000 });
    assert.ok(await heatPixels(page, 0) > 0, 'the final overlay is painted');

    // A second result beside the first: a bundled example with RISE.
    await page.click('.examples button[data-name="fish.png"]');
    await page.waitForFunction("document.querySelectorAll('#target option').length > 2");
    await page.selectOption('#method', 'rise');
    await page.click('#start');
    await page.waitForFunction("document.querySelectorAll('.card.final[data-status=done]').length === 2", undefined, { timeout: 120_000 });

    // Reload: both jobs are in the history; reopen them.
    await page.reload();
    await page.waitForFunction("document.querySelectorAll('#history li button').length === 2");
    const history = await page.locator('#history li button').allTextContents();
    assert.ok(history.some((h) => /done/.test(h) && /kitten_224\.png/.test(h)), `history lists the uploaded photo: ${history.join(' | ')}`);
    await page.locator('#history li button').nth(1).click();
    await page.locator('#history li button').nth(0).click();
    await page.waitForFunction("document.querySelectorAll('.card.final').length === 2");
    await page.locator('.card').nth(1).locator('.colormap').selectOption('viridis');
    await page.locator('.card').nth(0).locator('.show-curves').click();
    await page.waitForSelector('.card .curves svg path.insertion', { timeout: 60_000 });

    // A third, larger job: screenshot while its preview sharpens, then cancel it (the finished rounds are kept).
    await page.click('.examples button[data-name="kitten_224.png"]');
    await page.waitForFunction("document.querySelectorAll('#target option').length > 2");
    await page.selectOption('#method', 'smoothgrad');
    await setRange(page, '#queries', 3000);
    await page.click('#start');
    await page.waitForFunction("/preview after round [2-9]/.test(document.querySelector('.card .placeholder')?.textContent ?? '')", undefined, { timeout: 120_000 });
    await page.waitForTimeout(200);
    assert.deepEqual(pageErrors, []);
    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'docs', 'screenshot.png') });
    await page.locator('.card').first().locator('.cancel').click();
    await page.waitForFunction("document.querySelector('.card')?.dataset.status === 'cancelled' && document.querySelector('.card').classList.contains('final')", undefined, { timeout: 60_000 });
    assert.match((await page.locator('.card .progress-text').first().textContent()) ?? '', /partial/);
  } finally {
    await browser.close();
    await server.close();
  }
});

type Page = import('playwright-core').Page;

async function setRange(page: Page, selector: string, value: number): Promise<void> {
  await page.evaluate(`(() => { const el = document.querySelector(${JSON.stringify(selector)}); el.value = '${value}'; el.dispatchEvent(new Event('input', { bubbles: true })); })()`);
}

/** Pixels of a card's heat canvas with some opacity. */
async function heatPixels(page: Page, index: number): Promise<number> {
  return page.evaluate(`(() => {
    const c = document.querySelectorAll('.card canvas.heat')[${index}];
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let p = 3; p < data.length; p += 4) if (data[p] > 20) n++;
    return n;
  })()`);
}
