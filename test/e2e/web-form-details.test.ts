import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { go, overflowOf, screenshot, UI, webSessionForTests, type Browser, type ServeProcess } from './harness.js';

/**
 * The New experiment form and the run page's "Tags and notes" dialog, as a reviewer used them in
 * Chromium: a tag typed without Enter, a reload of the form, over-long tags, the pruning window's
 * message, a dense-only preview, and the layout at a laptop's 1024 px. Nothing trains: the queue
 * is paused before the launch.
 */

const DRAFT_KEY = 'rigl-lab.new-experiment-draft.v1';
const LONG_TAG = 'x'.repeat(300);
/** As long as a tag may be. */
const FIFTY = 'tag-of-fifty-characters-which-is-the-most-allowed-';
const EXPERIMENT_NAME = 'Fixed parameters vs fixed FLOPs on Fashion-MNIST: ERK and uniform at the same sparsity, ERK at fixed FLOPs';

/** Presses the toggle chips of a field until exactly `wanted` are on. */
async function setChips(page: Page, testId: string, wanted: string[]): Promise<void> {
  const chips = page.getByTestId(testId).getByRole('button');
  for (let i = 0; i < (await chips.count()); i++) {
    const chip = chips.nth(i);
    const label = (await chip.innerText()).trim();
    const on = (await chip.getAttribute('aria-pressed')) === 'true';
    if (on !== wanted.includes(label)) await chip.click();
  }
}

/** Whether the element at the centre of `selector`'s box is it (or inside it): nothing covers it. */
function reachable(page: Page, selector: string): Promise<boolean> {
  return page.evaluate<boolean>(`(() => {
    const e = document.querySelector(${JSON.stringify(selector)});
    if (!e) return false;
    const r = e.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (hit === e || e.contains(hit));
  })()`);
}

describe('the New experiment form and the tags dialog, in Chromium', () => {
  const web = webSessionForTests();
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  let experimentId: number;

  beforeAll(() => {
    ({ server, browser, page } = web);
  });

  it('opens with the queue paused, so that the launched runs stay queued', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.getByText('No experiments yet').isVisible(), UI).toBe(true);
    await page.getByTestId('queue-toggle').click();
    await expect.poll(() => page.getByTestId('queue-toggle').innerText(), UI).toBe('Resume queue');
  });

  it('names the pruning start by its label in the message of a window that ends before it starts', async () => {
    await go(page, '#/new');
    await setChips(page, 'field-methods', ['Pruning']);
    await page.getByLabel('Start (fraction of training)', { exact: true }).fill('0.8');
    // The form's end is the recipe's 0.75.
    await expect.poll(() => page.getByTestId('form-issues').innerText(), UI).toBe('Pruning end: must be after Pruning start');
    expect(await page.locator('.field-error', { hasText: 'must be after Pruning start' }).count()).toBe(1);
    await screenshot(page, 'form-pruning-window');
    await page.getByLabel('Start (fraction of training)', { exact: true }).fill('0.05');
    await expect.poll(() => page.getByTestId('form-issues').count(), UI).toBe(0);
  });

  it('captions a dense-only grid without a distribution', async () => {
    await setChips(page, 'field-methods', ['Dense']);
    await expect.poll(() => page.getByTestId('preview-density-point').innerText(), UI).toBe('Dense');
    await screenshot(page, 'form-dense-only');
    await setChips(page, 'field-methods', ['Static', 'RigL']);
    await expect.poll(() => page.getByTestId('preview-density-point').innerText(), UI).toMatch(/^(Static|RigL) · ERK · 90%$/);
  });

  it('keeps a long tag inside its field, with its × in reach, and says it is too long', async () => {
    const box = page.getByPlaceholder('add tag');
    await box.fill(LONG_TAG);
    await box.press('Enter');
    await expect.poll(() => page.getByTestId('form-issues').innerText(), UI).toBe('Tags: must be at most 50 characters');
    const [chip, field] = await page.evaluate<[number, number]>(`(() => {
      const chip = document.querySelector('.tags .chip').getBoundingClientRect();
      const field = document.querySelector('.tags').getBoundingClientRect();
      return [chip.right, field.right];
    })()`);
    expect(chip).toBeLessThanOrEqual(field);
    expect(await reachable(page, '.tags .chip .x')).toBe(true);
    expect(await page.getByTestId('launch').isDisabled()).toBe(true);
    await screenshot(page, 'form-long-tag');
    await page.getByRole('button', { name: `Remove tag ${LONG_TAG}` }).click({ timeout: 5000 });
    await expect.poll(() => page.getByTestId('form-issues').count(), UI).toBe(0);
  });

  it('keeps the draft through a reload, drops a corrupt one and forgets it on "Clear form"', async () => {
    await page.getByTestId('field-name').fill('Draft kept');
    await page.getByPlaceholder('add tag').fill('kept-tag');
    await page.getByPlaceholder('add tag').press('Enter');
    await page.getByTestId('field-seeds').fill('3, 4');
    await page.getByLabel('Train subset', { exact: true }).fill('0x10');
    await page.reload();
    await expect.poll(() => page.getByTestId('field-name').inputValue(), UI).toBe('Draft kept');
    expect(await page.locator('.tags .chip .text').allInnerTexts()).toEqual(['kept-tag']);
    expect(await page.getByTestId('field-seeds').inputValue()).toBe('3, 4');
    expect(await page.getByTestId('field-methods').getByRole('button', { pressed: true }).allInnerTexts()).toEqual(['Static', 'RigL']);
    // A number that could not be read comes back as one, still named at its field.
    await expect.poll(() => page.locator('.field-error', { hasText: 'must be a number' }).count(), UI).toBe(1);
    await page.getByLabel('Train subset', { exact: true }).fill('');

    // A draft of another shape (another version of the app) or not JSON at all: a blank form.
    for (const corrupt of ['{"name": 5}', 'not json']) {
      await page.evaluate(`sessionStorage.setItem(${JSON.stringify(DRAFT_KEY)}, ${JSON.stringify(corrupt)})`);
      await page.reload();
      await expect.poll(() => page.getByTestId('field-name').inputValue(), UI).toBe('Fashion-MNIST · mlp');
      expect(await page.evaluate(`sessionStorage.getItem(${JSON.stringify(DRAFT_KEY)})`)).toBe(null);
    }
    expect(browser.errors).toEqual([]);

    await page.getByTestId('field-name').fill('Draft to clear');
    await expect.poll(() => page.evaluate(`sessionStorage.getItem(${JSON.stringify(DRAFT_KEY)}) !== null`), UI).toBe(true);
    await page.getByRole('button', { name: 'Clear form' }).click();
    await expect.poll(() => page.evaluate(`sessionStorage.getItem(${JSON.stringify(DRAFT_KEY)})`), UI).toBe(null);
    await page.reload();
    await expect.poll(() => page.getByTestId('field-name').inputValue(), UI).toBe('Fashion-MNIST · mlp');
  });

  it('launches with one click, the tag typed without Enter included', async () => {
    await page.getByTestId('field-name').fill(EXPERIMENT_NAME);
    // The widest a queued run's row gets: four-digit FLOP multiples at 95% ("0.0524×"), RigL-SM.
    await setChips(page, 'field-sparsities', ['90%', '95%']);
    const redistribution = page.getByRole('group', { name: 'Redistribution' });
    await redistribution.getByRole('button', { name: 'By momentum (SM)' }).click();
    await redistribution.getByRole('button', { name: 'None' }).click();
    await expect.poll(() => page.getByTestId('launch').innerText(), UI).toBe('Launch 4 runs');
    await page.getByPlaceholder('add tag').fill('typed-not-entered');
    await page.getByTestId('launch').click();
    await page.waitForURL(/#\/runs\?experiment=\d+/, { timeout: 10_000 });
    experimentId = Number(/experiment=(\d+)/.exec(page.url())?.[1]);
    // In queue order, where a run that trains heads the list.
    expect(await page.getByLabel('Order').inputValue()).toBe('queue');
    const db = new Database(server.dbPath, { readonly: true });
    try {
      const row = db.prepare('SELECT tags FROM experiments WHERE id = ?').get(experimentId) as { tags: string };
      expect(JSON.parse(row.tags)).toEqual(['typed-not-entered']);
    } finally {
      db.close();
    }
  });

  it('checks tags in the run dialog as the form does, with chips inside the dialog', async () => {
    await expect.poll(() => page.locator('[data-run-id]').count(), UI).toBe(4);
    await page.locator('[data-run-id] td.name > a').first().click();
    await page.getByRole('button', { name: 'Tags and notes' }).click();
    const box = page.locator('dialog').getByPlaceholder('add tag');
    await box.fill(LONG_TAG);
    await box.press('Enter');
    await expect.poll(() => page.locator('dialog .field-error').allInnerTexts(), UI).toEqual(['must be at most 50 characters']);
    expect(await overflowOf(page, 'dialog')).toBe(0);
    expect(await overflowOf(page, 'dialog .body')).toBe(0);
    expect(await reachable(page, 'dialog .tags .chip .x')).toBe(true);
    await page.locator('dialog').getByRole('button', { name: 'Save' }).click();
    // Refused here, in the form's words: no internal path, and the dialog stays open.
    await expect.poll(() => page.locator('dialog').innerText(), UI).not.toContain('params.');
    expect(await page.locator('dialog').isVisible()).toBe(true);
    await screenshot(page, 'run-tags-too-long');
    await page.locator('dialog').getByRole('button', { name: `Remove tag ${LONG_TAG}` }).click();
    await box.fill(FIFTY);
    await page.locator('dialog').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('dialog').count(), UI).toBe(0);
    await expect.poll(() => page.locator('.subline .chip').allInnerTexts(), UI).toEqual([FIFTY]);
  });

  it('fits the runs table in its card at 1024 × 700, and shows a long experiment name in full', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await go(page, '#/runs');
    await expect.poll(() => page.locator('[data-run-id]').count(), UI).toBe(4);
    // In queue order, each queued run has its arrows beside its status.
    await page.getByLabel('Order').selectOption('queue');
    await expect.poll(() => page.getByRole('button', { name: 'Move up in the queue' }).count(), UI).toBe(4);
    await expect.poll(() => page.locator('[data-run-id] .chip', { hasText: FIFTY }).count(), UI).toBe(1);
    expect(await overflowOf(page, '.table-card .table-wrap')).toBe(0);
    // The longest tag stays in its run's cell.
    const [chipRight, cellRight] = await page.evaluate<[number, number]>(`(() => {
      const chip = [...document.querySelectorAll('[data-run-id] .meta .chip')].find((c) => c.textContent.trim() === ${JSON.stringify(FIFTY)});
      return [chip.getBoundingClientRect().right, chip.closest('td').getBoundingClientRect().right];
    })()`);
    expect(chipRight).toBeLessThanOrEqual(cellRight);
    const [time, card] = await page.evaluate<[number, number]>(`(() => {
      const headers = document.querySelectorAll('table.runs thead th');
      return [headers[headers.length - 1].getBoundingClientRect().right, document.querySelector('.table-card').getBoundingClientRect().right];
    })()`);
    expect(time).toBeLessThanOrEqual(card);
    await screenshot(page, 'runs-1024');

    for (const width of [1400, 1024]) {
      await page.setViewportSize({ width, height: width === 1024 ? 700 : 900 });
      await go(page, `#/experiments/${experimentId}`);
      await expect.poll(() => page.locator('h1.title').innerText(), UI).toBe(EXPERIMENT_NAME);
      // Not cut short: the whole name is in the box.
      expect(await overflowOf(page, 'h1.title')).toBe(0);
      expect(await page.evaluate<number>(`document.querySelector('h1.title').scrollHeight - document.querySelector('h1.title').clientHeight`)).toBe(0);
      expect(await overflowOf(page, 'main.content')).toBe(0);
      await screenshot(page, `experiment-title-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
