import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandExperiment, parseExperimentSpec } from '../../src-shared/config/experiment.js';
import { PRESETS, REPORT_VIEWS, type ReportView } from '../../src-shared/config/presets.js';
import { cli, download, go, horizontalOverflow, RESULTS_DIR, screenshot, UI, webSessionForTests, type Browser, type ServeProcess } from './harness.js';
import { parseCsv } from './csv.js';

/**
 * The "done when" for the report's experiments, as a new user would go: each quick preset
 * launched from the form in web mode, trained by the real queue (two at a time: two cores), its
 * view opened from the experiment and checked for real numbers; then `rigl-lab report` opened in
 * Chromium. Screenshots: test-results/e2e-view-<view>.png and test-results/report.png.
 */

/** The five quick presets total about 68 short runs; two at a time they take a few minutes. */
const TRAINING_TIMEOUT_MS = 900_000;
const quick = (view: ReportView) => PRESETS.find((p) => p.id === `${view}/fashion-mnist-quick`)!;
const runCount = (view: ReportView) => expandExperiment(parseExperimentSpec(quick(view).spec)).length;

/** The percentages in a table's text, as numbers: "80.13 ± 0.92" gives 80.13 and 0.92. */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/(\d+\.\d\d)(?: ± (\d+\.\d\d))?/g)].flatMap((m) => [Number(m[1]), ...(m[2] ? [Number(m[2])] : [])]);
}

describe('the five report experiments, from the form to their views and the report', () => {
  const web = webSessionForTests();
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  const experimentIds = new Map<ReportView, number>();
  let reportDir: string;

  beforeAll(async () => {
    ({ server, browser, page } = web);
    reportDir = await mkdtemp(join(tmpdir(), 'rigl-lab-report-'));
    await page.goto(server.url);
  });

  afterAll(async () => {
    await rm(reportDir, { recursive: true, force: true });
  });

  /** Sets how many runs train at a time on the Settings page, checking what it was. */
  async function setConcurrency(from: number, to: number): Promise<void> {
    await go(page, '#/settings');
    // Settings and system info arrive together; until then the field shows a placeholder value.
    await page.getByTestId('system-info').waitFor();
    const field = page.getByTestId('concurrency');
    await expect.poll(() => field.inputValue(), UI).toBe(String(from));
    await field.fill(String(to));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('queue-toggle').isVisible(), UI).toBe(true);
    await expect.poll(() => page.locator('.notice.ok').innerText(), UI).toContain('Concurrency saved');
  }

  it('trains two runs at a time once Settings says so', async () => {
    await setConcurrency(1, 2);
  });

  it('launches each quick preset from the form, derived runs previewed', async () => {
    for (const view of REPORT_VIEWS) {
      await go(page, '#/new');
      await page.getByTestId('preset-select').selectOption(`${view}/fashion-mnist-quick`);
      await expect.poll(() => page.getByTestId('preview-run-count').innerText(), UI).toBe(String(runCount(view)));
      await expect.poll(() => page.getByTestId('launch').isEnabled(), UI).toBe(true);
      if (view === 'methods') {
        // 5 sparse methods × 2 sparsities × 3 seeds, each sparsity with its own Small-Dense width: 6 derived runs.
        await expect.poll(() => page.getByTestId('derived-smallDense-preview').innerText(), UI).toMatch(/^\+6 runs/);
        expect(await page.getByTestId('derived-smallDense-preview').innerText()).toMatch(/90% → width ×0\.\d+/);
        await page.getByTestId('derived-smallDense-preview').scrollIntoViewIfNeeded();
        expect(await horizontalOverflow(page)).toBe(0);
        await screenshot(page, 'new-experiment-preset');
      }
      if (view === 'params-vs-flops') {
        await expect.poll(() => page.getByTestId('derived-flopMatched-preview').innerText(), UI).toMatch(/^\+2 runs[\s\S]*uniform 90% → ERK \d+(\.\d+)?%/);
      }
      await page.getByTestId('launch').click();
      await page.waitForURL(/#\/runs\?experiment=\d+/);
      experimentIds.set(view, Number(/experiment=(\d+)/.exec(page.url())?.[1]));
    }
    expect([...experimentIds.values()].every((id) => id > 0)).toBe(true);
  });

  it('trains every run of the five experiments to completion', async () => {
    await go(page, '#/');
    const table = page.getByTestId('experiments-table');
    const total = REPORT_VIEWS.reduce((a, v) => a + runCount(v), 0);
    const started = Date.now();
    for (const view of REPORT_VIEWS) {
      const row = table.locator('tr', { has: page.getByTestId(`experiment-link-${experimentIds.get(view)}`) });
      const n = runCount(view);
      await expect.poll(() => row.locator('.progress .label').innerText(), { timeout: TRAINING_TIMEOUT_MS, interval: 2000 }).toBe(`${n} / ${n}`);
      // Finished means completed here: a failed or diverged run would leave a hole in the view.
      expect(await row.locator('.status.completed').count()).toBe(1);
      expect(await row.locator('.status').count()).toBe(1);
    }
    console.log(`e2e: ${total} runs of the five quick presets trained in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await screenshot(page, 'experiments-report');
  });

  /** Opens an experiment's view as a user does: from the Experiments page. */
  async function openView(view: ReportView): Promise<void> {
    await go(page, '#/');
    await page.getByTestId(`experiment-link-${experimentIds.get(view)}`).click();
    await page.waitForURL(new RegExp(`#/experiments/${experimentIds.get(view)}$`));
    await expect.poll(() => page.getByTestId('view-label').isVisible(), UI).toBe(true);
  }

  async function figuresDrawn(ids: string[]): Promise<void> {
    for (const id of ids) await page.getByTestId(`figure-${id}`).locator('canvas').first().waitFor();
  }

  it('shows the method comparison: every method with mean ± std over 3 seeds', async () => {
    await openView('methods');
    await figuresDrawn(['accuracy-vs-sparsity', 'accuracy-vs-flops']);
    const summary = page.getByTestId('summary-table');
    const rows = summary.locator('tbody tr');
    // Dense, then Small-Dense, static, SET, SNFS, RigL and pruning at 90% and 95%.
    await expect.poll(() => rows.count(), UI).toBe(13);
    const text = await summary.innerText();
    for (const method of ['Dense', 'Small-Dense', 'Static', 'SET', 'SNFS', 'RigL', 'Pruning']) expect(text).toContain(method);
    let marked = 0;
    for (let i = 0; i < 13; i++) {
      const cells = await rows.nth(i).locator('td').allInnerTexts();
      expect(cells[3], `seeds of row ${i}`).toBe('3');
      expect(cells[4], `accuracy of row ${i}`).toMatch(/^\d+\.\d\d ± \d+\.\d\d$/);
      // The runs trained two at a time: a group some of whose runs shared the machine has its
      // time marked, and none against dense.
      expect(cells[7], `run time of row ${i}`).toMatch(/^\d+(\.\d)? s( ‡)?$/);
      if (cells[7]!.endsWith('‡')) {
        marked++;
        expect(cells[8], `time against dense of row ${i}`).toBe('—');
      } else {
        expect(cells[8], `time against dense of row ${i}`).toMatch(/^(\d+\.\d\d×|—)$/);
      }
    }
    expect(marked).toBeGreaterThan(0);
    expect(await page.getByText('‡: some of its runs trained while other runs did').count()).toBe(1);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'view-methods');
    const csv = await download(page, () => page.getByTestId('export-summary-csv').click());
    // Kept beside the screenshots: the quick comparison's numbers as this run measured them.
    await writeFile(join(RESULTS_DIR, 'e2e-methods-quick-summary.csv'), csv.bytes);
    const parsed = parseCsv(csv.bytes.toString('utf8'));
    expect(parsed).toHaveLength(13);
    for (const row of parsed) {
      expect(row.seeds).toBe('0 1 2');
      expect(Number(row.test_accuracy_mean)).toBeGreaterThan(0.3);
      expect(Number(row.test_accuracy_std)).toBeGreaterThanOrEqual(0);
    }
    const smallDense = parsed.filter((r) => r.variant === 'small-dense').map((r) => Number(r.sparsity));
    expect(smallDense).toHaveLength(2);
    // Placed at the sparsity its parameter count matches: near, not exactly at, 90% and 95%.
    expect(Math.abs((smallDense[0] as number) - 0.9)).toBeLessThan(0.01);
    expect(Math.abs((smallDense[1] as number) - 0.95)).toBeLessThan(0.01);
  });

  it('shows longer training: accuracy against training FLOPs of each length', async () => {
    await openView('length');
    await figuresDrawn(['accuracy-vs-training-flops']);
    const text = await page.getByTestId('length-table').innerText();
    expect(text).toContain('RigL');
    expect(text).toContain('2×');
    expect(numbersIn(text).length).toBeGreaterThanOrEqual(8);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'view-length');
    // Another experiment's address typed over this one (the same page, a new id) shows that experiment.
    const lengthLabel = await page.getByTestId('view-label').innerText();
    await go(page, `#/experiments/${experimentIds.get('sensitivity')}`);
    await expect.poll(() => page.getByTestId('view-label').innerText(), UI).not.toBe(lengthLabel);
    await page.goBack();
    await expect.poll(() => page.getByTestId('view-label').innerText(), UI).toBe(lengthLabel);
  });

  it('shows the α and ΔT heatmap with its best cell and the reference', async () => {
    await openView('sensitivity');
    await figuresDrawn(['alpha-delta-t-heatmap', 'accuracy-vs-delta-t']);
    const table = page.getByTestId('sensitivity-table');
    await expect.poll(() => table.locator('tbody tr').count(), UI).toBe(9);
    expect(await table.locator('tr.marked', { hasText: 'best' }).count()).toBe(1);
    expect(await table.locator('tr.marked', { hasText: 'reference' }).count()).toBe(1);
    expect(numbersIn(await table.innerText()).length).toBeGreaterThanOrEqual(9);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'view-sensitivity');
  });

  it('shows ERK against uniform at equal parameters and at equal FLOPs', async () => {
    await openView('params-vs-flops');
    await figuresDrawn(['equal-parameters', 'equal-flops']);
    const text = await page.getByTestId('params-vs-flops-table').innerText();
    expect(text).toContain('equal parameters');
    expect(text).toContain('equal inference FLOPs');
    expect(await page.getByTestId('view-notes').innerText()).toMatch(/ERK matches the inference FLOPs of uniform 90% at \d+(\.\d+)?% sparsity/);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'view-params-vs-flops');
  });

  it('shows RigL, RigL-SM and RigL-SG with their layer densities over training', async () => {
    await openView('redistribution');
    await figuresDrawn(['accuracy', 'training-flops', 'layer-density-rigl-900', 'layer-density-rigl-sm-900', 'layer-density-rigl-sg-900']);
    const text = await page.getByTestId('redistribution-table').innerText();
    for (const variant of ['RigL 90%', 'RigL-SM 90%', 'RigL-SG 90%']) expect(text).toContain(variant);
    expect(await page.getByTestId('layer-densities-table').locator('tbody tr').count()).toBe(9);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'view-redistribution');
    const svg = await download(page, () => page.getByTestId('figure-layer-density-rigl-sm-900').getByRole('button', { name: 'SVG' }).click());
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg[\s\S]*fc1[\s\S]*<\/svg>$/);
    const png = await download(page, () => page.getByTestId('figure-accuracy').getByRole('button', { name: 'PNG' }).click());
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('opens the view from the compare page too', async () => {
    await go(page, `#/compare?experiment=${experimentIds.get('methods')}`);
    await page.getByTestId('open-experiment-view').click();
    await page.waitForURL(new RegExp(`#/experiments/${experimentIds.get('methods')}$`));
    expect(browser.errors).toEqual([]);
  });

  it('writes `rigl-lab report` for the same experiment and it opens in Chromium with every figure', async () => {
    const id = experimentIds.get('methods') as number;
    const out = join(reportDir, 'methods');
    const written = await cli(['report', String(id), '--db', server.dbPath, '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['accuracy-vs-flops.svg', 'accuracy-vs-sparsity.svg', 'index.html', 'summary.csv']);
    expect(parseCsv(await readFile(join(out, 'summary.csv'), 'utf8'))).toHaveLength(13);
    await page.goto(`file://${join(out, 'index.html')}`);
    await expect.poll(() => page.locator('figure svg').count(), UI).toBe(2);
    // Every figure has drawn its points: ECharts' SVG marks each data element with its series.
    for (let i = 0; i < 2; i++) expect(await page.locator('figure').nth(i).locator('svg path[ecmeta_series_index]').count()).toBeGreaterThan(10);
    expect(await page.locator('table tbody tr').count()).toBe(13);
    await page.screenshot({ path: join(RESULTS_DIR, 'report.png'), fullPage: true });
  });

  it('says where each run trained once a re-run trains on more threads than the original', async () => {
    // Every run so far trained two at a time, on one thread each; one at a time gets both.
    await page.goto(server.url);
    await setConcurrency(2, 1);

    const listed = await cli(['list', '--db', server.dbPath, '--json', '--limit', '5000']);
    expect(listed.code, listed.stderr).toBe(0);
    const all = JSON.parse(listed.stdout) as Array<{ id: number; name: string; device: string | null; experimentId: number | null; config: { method: string; seed: number } }>;
    // A RigL run of the method comparison and its dense run (same recipe), both seed 0.
    const ofMethods = all.filter((r) => r.experimentId === experimentIds.get('methods') && r.config.seed === 0);
    const original = ofMethods.find((r) => r.name === 'RigL uniform 90% · mlp · seed 0')!;
    const dense = ofMethods.find((r) => r.config.method === 'dense' && r.name.startsWith('Dense'))!;
    expect(original.device).toMatch(/1 thread\)$/);
    await go(page, `#/runs/${original.id}`);
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((url) => /#\/runs\/\d+$/.test(url.hash) && !url.hash.endsWith(`/${original.id}`));
    const rerunId = Number(/(\d+)$/.exec(new URL(page.url()).hash)![1]);
    await expect.poll(() => page.locator('.status.completed').first().isVisible(), { timeout: 120_000, interval: 500 }).toBe(true);

    await go(page, `#/compare?runs=${original.id},${rerunId}`);
    const diff = page.getByTestId('config-diff');
    await expect.poll(() => diff.isVisible(), UI).toBe(true);
    const text = await diff.innerText();
    expect(text).toContain('Trained on');
    expect(text).toMatch(/1 thread\)/);
    expect(text).toMatch(/2 threads\)/);
    // The re-run keeps its original's name: each says its id, in the table and in the curves' legend.
    expect(text).toContain(`seed 0 #${original.id}`);
    expect(text).toContain(`seed 0 #${rerunId}`);
    await expect.poll(() => page.getByTestId('compare-curves').getByRole('img').getAttribute('aria-label'), UI).toBe(
      `Curves: RigL uniform 90% · mlp · seed 0 #${original.id}; RigL uniform 90% · mlp · seed 0 #${rerunId}`,
    );
    // The two runs are one seed of one group: the re-run, the newest completed, stands for it.
    // One seed, and the re-run's time, trained alone (unmarked); none against dense.
    const row = page.getByTestId('summary-table').locator('tbody tr');
    await expect.poll(() => row.count(), UI).toBe(1);
    const cells = await row.first().locator('td').allInnerTexts();
    expect(cells[3]).toBe('1');
    expect(cells[7]).toMatch(/^\d+(\.\d)? s$/);
    expect(cells[8]).toBe('—');
    await diff.scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-devices');

    // Its dense run re-run the same way: both alone on one device, so RigL's time is set against dense's.
    await go(page, `#/runs/${dense.id}`);
    await page.getByRole('button', { name: 'Re-run' }).click();
    await page.waitForURL((url) => /#\/runs\/\d+$/.test(url.hash) && !url.hash.endsWith(`/${dense.id}`));
    const denseRerunId = Number(/(\d+)$/.exec(new URL(page.url()).hash)![1]);
    await expect.poll(() => page.locator('.status.completed').first().isVisible(), { timeout: 120_000, interval: 500 }).toBe(true);
    await go(page, `#/compare?runs=${rerunId},${denseRerunId}`);
    await expect.poll(() => row.count(), UI).toBe(2);
    const timeCells = async (i: number) => (await row.nth(i).locator('td').allInnerTexts()).slice(-2);
    expect(await timeCells(0)).toEqual([expect.stringMatching(/^\d+(\.\d)? s$/), '1.00×']);
    expect(await timeCells(1)).toEqual([expect.stringMatching(/^\d+(\.\d)? s$/), expect.stringMatching(/^\d+\.\d\d×$/)]);
    await screenshot(page, 'compare-alone');
  });
}, 1_200_000);
