import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCifarArchive } from '../helpers/dataset-fixtures.js';
import { parseCsv } from './csv.js';
import { cli, download, go, horizontalOverflow, screenshot, UI, webSessionForTests, type Browser, type ServeProcess } from './harness.js';

/**
 * The "done when", clicked through as a new user would: a Fashion-MNIST 2×2 grid (RigL and
 * static at 80% and 90%) made with the form, trained by the real queue, compared, exported.
 */

const TRAINING_TIMEOUT_MS = 300_000;
const RUNS = 4;

/** Navigates inside the app, as the left navigation does (page scripts are strings: no DOM types here). */
/** The first backend the Settings page marks not available (node-gpu on a machine without it). */
async function firstUnavailableBackend(page: Page): Promise<string> {
  for (const name of ['node-gpu', 'node', 'wasm', 'cpu']) {
    if (await page.getByTestId(`backend-${name}`).isDisabled()) return name;
  }
  throw new Error('every backend is available here: this step needs one that is not');
}

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

/**
 * Records, at every change of the page, the run page's live label ("starting…" or "step N of M"),
 * its Time tile and the backend it names, into window.__livePanel.
 */
const RECORD_LIVE_PANEL = `(() => {
  const seen = (window.__livePanel = []);
  const read = () => {
    const label = document.querySelector('[data-testid=run-live] .label')?.textContent?.trim() ?? '';
    const tile = document.querySelector('[data-testid=run-time]');
    const time = tile?.querySelector('.value')?.textContent?.trim() ?? '';
    const steps = tile?.querySelector('.foot')?.textContent?.trim() ?? '';
    const backend = document.querySelector('[data-testid=run-backend] b')?.textContent?.trim() ?? '';
    const last = seen[seen.length - 1];
    if (!last || last.label !== label || last.time !== time || last.steps !== steps || last.backend !== backend) seen.push({ label, time, steps, backend });
  };
  read();
  new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

describe('web mode, clicked through in Chromium', () => {
  const web = webSessionForTests();
  let server: ServeProcess;
  let browser: Browser;
  let page: Page;
  let watcher: Page;

  beforeAll(() => {
    ({ server, browser, page } = web);
  });

  it('opens from the printed link, takes the token out of the address bar and shows an empty start', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.getByText('No experiments yet').isVisible(), UI).toBe(true);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await screenshot(page, 'experiments-empty');
  });

  it('previews a preset with the shared planner and flags a bad field before launch', async () => {
    await page.getByRole('link', { name: 'New experiment' }).first().click();
    await page.getByTestId('preset-select').selectOption('fashion-mnist-quick');
    // Dense ignores sparsity, so dense + static + RigL at two sparsities is 1 + 2 + 2 runs.
    await expect.poll(() => page.getByTestId('preview-run-count').innerText(), UI).toBe('5');
    // CIFAR-10 is not on this machine: said at the field, and the launch is refused with nothing queued.
    await page.getByTestId('field-dataset').selectOption('cifar10');
    await expect.poll(() => page.getByTestId('dataset-missing').isVisible(), UI).toBe(true);
    await page.getByTestId('launch').click();
    await expect.poll(() => page.getByTestId('form-issues').innerText(), UI).toContain('CIFAR-10 is not on this machine yet');
    expect(page.url()).toContain('#/new');
    await page.getByRole('button', { name: 'Clear form' }).click();
    await expect.poll(() => page.getByTestId('dataset-missing').count(), UI).toBe(0);

    // Fields found by their captions, as a screen reader names them.
    // Typed numbers are decimal: "0x10" is not read as 16.
    await page.getByLabel('Train subset', { exact: true }).fill('0x10');
    await expect.poll(() => page.locator('.field-error', { hasText: 'must be a number' }).count(), UI).toBe(1);
    await page.getByLabel('Train subset', { exact: true }).fill('3000');
    // A list's wrong entry is named by its place: "value 1 must be a number" read as the 1 typed.
    const seeds = page.getByTestId('field-seeds');
    const seedsText = await seeds.inputValue();
    await seeds.fill('a, 1');
    await expect.poll(() => page.locator('.field-error', { hasText: 'the 1st value must be a number' }).count(), UI).toBe(1);
    await seeds.fill(seedsText);
    // A sparsity typed as the CLI's fraction is questioned, not added as 0.9%.
    const chipsBefore = await page.getByTestId('field-sparsities').innerText();
    await page.getByLabel('Another sparsity, in %').fill('0.9');
    await page.getByLabel('Another sparsity, in %').press('Enter');
    await expect.poll(() => page.locator('.field-error', { hasText: '0.9 reads as 0.9% sparsity: type 90 for 90%, or 0.9% to keep 0.9%' }).count(), UI).toBe(1);
    expect(await page.getByTestId('field-sparsities').innerText()).toBe(chipsBefore);
    await page.getByLabel('Another sparsity, in %').fill('');
    await expect.poll(() => page.locator('.field-error', { hasText: 'reads as' }).count(), UI).toBe(0);
    // The model typed while the form checks another change keeps every key (a re-render put the
    // committed model back into the box: "lenet5" came out as "mlpnet5").
    await page.getByLabel('Epochs', { exact: true }).fill('3');
    const model = page.getByTestId('field-model');
    await model.click();
    await model.press('Control+a');
    await model.pressSequentially('lenet5', { delay: 80 });
    expect(await model.inputValue()).toBe('lenet5');
    await model.press('Tab');
    // Committed: the experiment's default name follows the model.
    await expect.poll(() => page.getByTestId('field-name').inputValue(), UI).toBe('Fashion-MNIST · lenet5');
    // 2700 examples in batches of 128: 21 steps × 3 epochs = 63, T_end = round(47.25) = 47, short of ΔT = 100.
    await expect.poll(() => page.getByTestId('preview-no-updates').innerText(), UI).toContain(
      'RigL makes no mask update: updates stop at step 47 (75% of 63 steps), before the first at ΔT = 100',
    );
    await screenshot(page, 'new-experiment-no-updates');
    await model.fill('mlp');
    await model.press('Tab');
    const batch = page.getByLabel('Batch size', { exact: true });
    await batch.fill('5000');
    // 3000 examples less the 10% validation split leave 2700 to train on.
    const error = page.locator('.field-error', { hasText: 'larger than the 2,700 training examples' });
    await expect.poll(() => error.isVisible(), UI).toBe(true);
    expect(await batch.getAttribute('aria-invalid')).toBe('true');
    expect(await batch.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
    // A click on a caption puts the cursor in its field.
    await page.locator('label', { hasText: /^Epochs$/ }).click();
    expect(await page.evaluate("document.activeElement?.getAttribute('data-testid')")).toBe('field-epochs');
    expect(await page.getByTestId('launch').isDisabled()).toBe(true);
    // No count while a field is wrong ("Launch 0 runs" read as an empty grid).
    expect(await page.getByTestId('preview-run-count').innerText()).toBe('—');
    expect(await page.getByTestId('launch').innerText()).toBe('Launch');
    await screenshot(page, 'new-experiment-invalid');
  });

  it('creates the 2 × 2 grid from the form', async () => {
    await page.getByTestId('field-name').fill('E2E RigL vs static');
    await page.getByTestId('field-batch-size').fill('64');
    await page.getByTestId('field-epochs').fill('1');
    await page.getByTestId('field-log-every').fill('5');
    // 42 steps in one epoch: ΔT 10 lets RigL update its masks three times before T_end.
    await page.getByTestId('field-delta-t').fill('10');
    await setChips(page, 'field-methods', ['Static', 'RigL']);
    await setChips(page, 'field-sparsities', ['80%', '90%']);
    await expect.poll(() => page.getByTestId('preview-run-count').innerText(), UI).toBe(String(RUNS));
    await expect.poll(() => page.getByTestId('launch').isEnabled(), UI).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'new-experiment');

    // A search left in the Runs list must not hide the runs about to be launched.
    await go(page, '#/runs');
    await page.getByTestId('runs-search').fill('no run is called this');
    await go(page, '#/new');
    await expect.poll(() => page.getByTestId('preview-run-count').innerText(), UI).toBe(String(RUNS));

    // Paused, so that the queue can be seen and reordered before anything trains.
    await page.getByTestId('queue-toggle').click();
    await expect.poll(() => page.getByTestId('queue-toggle').innerText(), UI).toBe('Resume queue');
    // Launched from the keyboard, Ctrl+Enter at once after typing (before the form's delayed check).
    await page.getByTestId('field-test-subset').fill('1000');
    await page.getByTestId('field-test-subset').press('Control+Enter');
    await page.waitForURL(/#\/runs\?experiment=\d+/);
    await expect.poll(() => page.locator('[data-run-id] .status.queued').count(), UI).toBe(RUNS);
    expect(await page.getByTestId('runs-search').inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('queue-queued').innerText(), UI).toBe(`${RUNS} queued`);
  });

  it('reorders the paused queue', async () => {
    // Just launched, the list is in queue order, where the arrows are (newest first has none: they
    // would move runs where the list does not show it).
    expect(await page.getByLabel('Order').inputValue()).toBe('queue');
    const names = page.locator('[data-run-id] td.name a');
    await expect.poll(() => names.count(), UI).toBe(RUNS);
    // The list is in queue order once its first row is the head of the queue (it cannot move up).
    const moveUp = (row: number) => page.locator('[data-run-id]').nth(row).getByRole('button', { name: 'Move up in the queue' });
    await expect.poll(() => moveUp(0).isDisabled(), UI).toBe(true);
    const [first, second] = [await names.nth(0).innerText(), await names.nth(1).innerText()];
    await moveUp(1).click();
    await expect.poll(() => names.nth(0).innerText(), UI).toBe(second);
    expect(await names.nth(1).innerText()).toBe(first);
    await screenshot(page, 'runs-queued');
    // A second tab watches the first run's page as it trains, from before it starts.
    const firstId = await page.locator('[data-run-id]').nth(0).getAttribute('data-run-id');
    watcher = await browser.context.newPage();
    await watcher.goto(new URL(`/#/runs/${firstId}`, server.url).toString());
    await expect.poll(() => watcher.getByTestId('run-time').isVisible(), UI).toBe(true);
    // Before training records them, the planner's numbers: the exact parameter count, FLOPs marked planned.
    expect(await watcher.getByTestId('run-parameters').innerText()).toMatch(/^\d+(\.\d+)? k$/);
    expect(await watcher.getByTestId('run-train-flops').innerText()).toMatch(/×[\s\S]*planned · [\d.]+ [kMGTP]FLOP/);
    await watcher.evaluate(RECORD_LIVE_PANEL);
    await page.getByTestId('queue-toggle').click();
    await expect.poll(() => page.getByTestId('queue-toggle').innerText(), UI).toBe('Pause queue');
  });

  it('shows the runs training live and then completed', async () => {
    await page.getByTestId('run-progress').first().waitFor({ timeout: 60_000 });
    await screenshot(page, 'runs-training');
    const finished = page.locator(['completed', 'failed', 'diverged', 'cancelled', 'interrupted'].map((s) => `[data-run-id] .status.${s}`).join(', '));
    await expect.poll(() => finished.count(), { timeout: TRAINING_TIMEOUT_MS, interval: 1000 }).toBe(RUNS);
    expect(await page.locator('[data-run-id] .status.completed').count()).toBe(RUNS);
    // Each time says where it was trained, the device on hover.
    const backend = page.locator('[data-run-id] td.time div').first();
    expect(await backend.innerText()).toBe('wasm');
    expect(await backend.getAttribute('title')).toMatch(/^wasm: CPU \(WebAssembly SIMD, \d threads?\)$/);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'runs');
  });

  it("showed the first run's progress and time on its page until it completed", async () => {
    await expect.poll(() => watcher.getByTestId('run-final-accuracy').innerText(), UI).toMatch(/^\d+\.\d\d%$/);
    const seen = (await watcher.evaluate('window.__livePanel')) as Array<{ label: string; time: string; steps: string; backend: string }>;
    const firstLive = seen.findIndex((s) => s.label.startsWith('step '));
    expect(firstLive, JSON.stringify(seen)).toBeGreaterThanOrEqual(0);
    // Once training had reported, the panel never fell back to its "starting…" state.
    expect(seen.slice(firstLive).filter((s) => s.label === 'starting…')).toEqual([]);
    // While it trained, the Time tile counted the training time and the steps of the progress bar.
    const training = seen.filter((s) => s.label.startsWith('step '));
    expect(training.some((s) => /^\d/.test(s.time)), JSON.stringify(training)).toBe(true);
    for (const s of training) expect(s.label.replace(/^step /, '').replace(' of ', ' / ')).toBe(s.steps.replace(/ steps$/, ''));
    // The backend the run chose as it started showed while it trained (not "chosen when the run
    // starts" until its epoch ended): on the page before its last step.
    const midRun = training.filter((s) => {
      const [done, total] = s.label.replace(/^step /, '').split(' of ');
      return done !== total;
    });
    expect(midRun.some((s) => s.backend === 'wasm'), JSON.stringify(training)).toBe(true);
    await screenshot(watcher, 'run-completed-watched');
    await watcher.close();
  });

  it('lists the same runs in `rigl-lab list`', async () => {
    const listed = await cli(['list', '--db', server.dbPath]);
    expect(listed.code, listed.stderr).toBe(0);
    for (const name of ['Static ERK 80%', 'Static ERK 90%', 'RigL ERK 80%', 'RigL ERK 90%']) expect(listed.stdout).toContain(name);
  });

  it('shows a run with curves, mask dynamics, config and logs, and exports its metrics', async () => {
    await page.getByRole('link', { name: /^RigL ERK 90%/ }).click();
    await expect.poll(() => page.getByTestId('run-final-accuracy').innerText(), UI).toMatch(/^\d+\.\d\d%$/);
    await page.getByTestId('run-accuracy-chart').locator('canvas').first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.getByTestId('run-backend').innerText()).toMatch(
      /^wasm on CPU \(WebAssembly SIMD, \d threads?\), chosen by auto: tfjs-node-gpu: not installed \(optional dependency missing\); tfjs-node: not installed/,
    );
    expect(await page.getByTestId('run-versions').innerText()).toMatch(/^rigl-lab \d+\.\d+\.\d+, tfjs-core 4\.\d+\.\d+, tfjs-backend-wasm 4\.\d+\.\d+$/);
    expect(await page.getByTestId('run-train-flops').innerText()).not.toContain('planned');
    // Totals say what they count: the whole run's training, one example's inference.
    expect(await page.getByTestId('run-train-flops').innerText()).toMatch(/[\d.]+ [kMGTP]FLOP in all$/);
    expect(await page.getByTestId('run-inference-flops').innerText()).toMatch(/[\d.]+ [kMGTP]FLOP an example$/);
    // A sparse run's parameters are those in use (10% of 266,200 weights, and 410 biases), beside the dense model's.
    expect(await page.getByTestId('run-parameters-dense').innerText()).toBe('of 267 k dense');
    expect(Number((await page.getByTestId('run-parameters').innerText()).replace(/ k$/, ''))).toBeCloseTo(27.0, 0);
    await screenshot(page, 'run');

    const csv = await download(page, () => page.getByTestId('export-csv').click());
    expect(csv.name).toMatch(/\.csv$/);
    const metrics = parseCsv(csv.bytes.toString('utf8'));
    expect(metrics.length).toBeGreaterThan(0);
    expect(Object.keys(metrics[0] ?? {})).toEqual(expect.arrayContaining(['step', 'test_accuracy', 'train_loss']));

    await page.getByRole('tab', { name: 'Sparsity' }).click();
    await page.getByTestId('run-mask-chart').locator('canvas').first().waitFor();
    // The tooltip names the step hovered as the whole number it is.
    await page.getByTestId('run-mask-chart').locator('canvas').first().hover();
    await expect.poll(() => page.getByTestId('run-mask-chart').innerText(), UI).toMatch(/^\d+\n[\s\S]*all layers/m);
    // ERK keeps the output layer dense: updates leave it alone, and its flat line is left out.
    expect(await page.getByTestId('run-mask-chart').innerText()).toContain('Left out, as no update changed it: fc3.');
    await screenshot(page, 'run-sparsity');
    await page.getByRole('tab', { name: 'Config' }).click();
    await expect.poll(() => page.getByTestId('run-config').innerText(), UI).toContain('ΔT (update interval)');
    await screenshot(page, 'run-config');
    await page.getByRole('tab', { name: 'Log and checkpoints' }).click();
    await expect.poll(() => page.getByTestId('run-logs').innerText(), UI).not.toBe('');
    const logs = await page.getByTestId('run-logs').innerText();
    expect(logs).toMatch(/epoch 1 of 1 \(step 42\): test accuracy \d+\.\d\d%, test loss \d\.\d{4}(, validation accuracy \d+\.\d\d%)?; train accuracy/);
    // ΔT 10 before T_end: updates at steps 10, 20 and 30, one line each.
    expect(logs.match(/mask update at step \d+: dropped [\d,]+ and grew [\d,]+ of [\d,]+ active weights/g)).toHaveLength(3);
    expect(logs).not.toMatch(/fc3 −/);
    await screenshot(page, 'run-logs');
    // Its experiment's link opens the experiment's dashboard.
    await page.getByTestId('run-experiment-link').click();
    await page.waitForURL(/#\/experiments\/\d+$/);
    await expect.poll(() => page.getByTestId('view-label').isVisible(), UI).toBe(true);
    await page.goBack();
    await page.waitForURL(/#\/runs\/\d+$/);
  });

  it('compares the grid: both methods in the figures, summary exported as CSV', async () => {
    await page.goBack();
    await page.waitForURL(/#\/runs/);
    await page.getByLabel('Select all runs on this page').check();
    await page.getByTestId('compare-selected').click();
    await page.waitForURL(/#\/compare\?runs=/);
    const summary = page.getByTestId('summary-table');
    await expect.poll(() => summary.locator('tbody tr').count(), UI).toBe(RUNS);
    const text = await summary.innerText();
    expect(text).toContain('RigL');
    expect(text).toContain('Static');
    await page.getByTestId('figure-accuracy-vs-sparsity').locator('canvas').first().waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'compare');

    const summaryCsv = parseCsv((await download(page, () => page.getByTestId('export-summary-csv').click())).bytes.toString('utf8'));
    const runsCsv = parseCsv((await download(page, () => page.getByTestId('export-runs-csv').click())).bytes.toString('utf8'));
    expect(summaryCsv.map((r) => `${r.method} ${r.sparsity}`).sort()).toEqual(['RigL 0.8', 'RigL 0.9', 'Static 0.8', 'Static 0.9']);
    // One seed per group: each mean is that run's own final accuracy, as the store exports it.
    for (const row of summaryCsv) {
      const run = runsCsv.find((r) => r.method === row.method?.toLowerCase() && Number(r.sparsity) === Number(row.sparsity));
      expect(run, `no exported run for ${row.method} ${row.sparsity}`).toBeDefined();
      expect(Number(row.test_accuracy_mean)).toBeCloseTo(Number(run?.test_accuracy), 10);
      expect(Number(row.test_accuracy_mean)).toBeGreaterThan(0.5);
    }

    const png = await download(page, () => page.getByTestId('figure-accuracy-vs-sparsity').getByRole('button', { name: 'PNG' }).click());
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const svg = await download(page, () => page.getByTestId('figure-accuracy-vs-sparsity').getByRole('button', { name: 'SVG' }).click());
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg[\s\S]*RigL[\s\S]*<\/svg>$/);

    await page.getByTestId('curves-x').selectOption('flops');
    await page.getByTestId('compare-curves').locator('canvas').first().waitFor();
    await page.getByTestId('compare-curves').scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-curves');
  });

  it('lists the experiment with its finished runs', async () => {
    await go(page, '#/');
    await expect.poll(() => page.getByTestId('experiments-table').innerText(), UI).toContain('E2E RigL vs static');
    expect(await page.getByTestId('experiments-table').innerText()).toContain(`${RUNS} / ${RUNS}`);
    await screenshot(page, 'experiments');
  });

  it('deletes a run after showing what goes', async () => {
    await go(page, '#/runs');
    // The selection made for Compare is kept across pages; start this one afresh.
    await page.getByRole('button', { name: 'Clear selection' }).click();
    const row = page.locator('[data-run-id]', { hasText: 'Static ERK 80%' });
    // Among every experiment's runs, each names its own.
    await expect.poll(() => row.locator('a.experiment').innerText(), UI).toBe('E2E RigL vs static');
    await row.getByRole('checkbox').check();
    await page.getByTestId('delete-selected').click();
    await expect.poll(() => page.getByTestId('delete-list').innerText(), UI).toContain('Static ERK 80% · mlp · seed 0');
    expect(await page.getByTestId('delete-list').locator('li').count()).toBe(1);
    await screenshot(page, 'delete-dialog');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => page.locator('[data-run-id]').count(), UI).toBe(RUNS - 1);
    expect(await page.locator('[data-run-id]', { hasText: 'Static ERK 80%' }).count()).toBe(0);
  });

  it('shows a run that a `rigl-lab run` in a terminal trains on the same database live, counted as running, until it is stopped there', async () => {
    // 27,000 training examples in batches of 32: 40 epochs of 843 steps, far longer than the checks; stopped with Ctrl-C after them.
    const ctrlC = new AbortController();
    const terminal = cli(
      [
        'run', '--model', 'mlp', '--method', 'dense', '--epochs', '40', '--train-subset', '30000', '--test-subset', '500', '--batch-size', '32',
        '--log-every', '10', '--name', 'From a terminal', '--db', server.dbPath, '--data-dir', server.dataDir,
      ],
      ctrlC.signal,
    );
    const row = page.locator('[data-run-id]', { hasText: 'From a terminal' });
    await expect.poll(() => row.getByTestId('run-progress').innerText(), { ...UI, timeout: 60_000 }).toMatch(/^\d+% · .+ left$/);
    expect(await row.getByTestId('run-elsewhere').innerText()).toMatch(/^in another process \(pid \d+\)$/);
    // Its process, not this queue, stops it.
    expect(await row.getByRole('button', { name: 'Cancel this run' }).count()).toBe(0);
    expect(await page.getByTestId('queue-running').innerText()).toMatch(/^1 running\s*\(1 in another process\)$/);
    expect(await page.getByTestId('queue-running').getAttribute('title')).toMatch(/^One of them trains in another process on this database .*; pid \d+\), which stops it$/);
    await screenshot(page, 'runs-training-elsewhere');

    await row.getByRole('link', { name: /^From a terminal/ }).click();
    const label = page.getByTestId('run-live').locator('.label');
    await expect.poll(() => label.innerText(), UI).toMatch(/^step [\d,]+ of 33,720$/);
    const steps = Number((await label.innerText()).replace(/^step ([\d,]+) of .*$/, '$1').replaceAll(',', ''));
    expect(steps).toBeGreaterThan(0);
    // Live: the bar moves on while the page stays.
    await expect.poll(async () => Number((await label.innerText()).replace(/^step ([\d,]+) of .*$/, '$1').replaceAll(',', '')), UI).toBeGreaterThan(steps);
    expect(await page.getByTestId('run-time').locator('.foot').first().innerText()).toMatch(/^[\d,]+ \/ 33,720 steps$/);
    expect(await page.getByTestId('run-live-elsewhere').innerText()).toMatch(/^Trained by another process on this database \(pid \d+\)/);
    await screenshot(page, 'run-training-elsewhere');

    // Its end, Ctrl-C in the terminal, reaches the page without a reload.
    ctrlC.abort();
    const finished = await terminal;
    expect(finished.code, finished.stderr).toBe(130);
    await expect.poll(() => page.getByTestId('run-stopped').innerText(), UI).toMatch(/^Cancelled: stopped on request \(Cancel in the app, or Ctrl-C\)/);
    await expect.poll(() => page.getByTestId('queue-running').innerText(), UI).toBe('0 running');
  });

  it('shows the datasets and the error of a bad import', async () => {
    await go(page, '#/datasets');
    const card = page.getByTestId('dataset-fashion-mnist');
    await expect.poll(() => card.innerText(), UI).toContain('available');
    await card.getByRole('textbox').fill('/nonexistent/fashion-mnist.tar.gz');
    await card.getByRole('button', { name: 'Import from path' }).click();
    await expect.poll(() => page.getByTestId('dataset-error-fashion-mnist').isVisible(), UI).toBe(true);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'datasets');
  });

  it('takes a partial CIFAR-10 copy, says it is partial and refuses a run too big for it', async () => {
    const archive = join(mkdtempSync(join(tmpdir(), 'rigl-lab-partial-')), 'cifar-10-binary.tar.gz');
    await writeCifarArchive(archive, 'cifar10', { trainPerFile: 20, test: 10 });
    const card = page.getByTestId('dataset-cifar10');
    await card.getByRole('textbox').fill(archive);
    await card.getByRole('button', { name: 'Import from path' }).click();
    await expect.poll(() => page.getByTestId('dataset-partial-cifar10').innerText(), UI).toContain(
      'This copy holds 100 of the 50,000 training images of the full set: runs on it need a train subset of 100 or fewer. Their test accuracy is measured on its 10 test images, of 10,000.',
    );
    await screenshot(page, 'datasets-partial');
    await go(page, '#/new');
    await page.getByRole('button', { name: 'Clear form' }).click();
    await page.getByTestId('field-dataset').selectOption('cifar10');
    await expect.poll(() => page.getByTestId('launch').isEnabled(), UI).toBe(true);
    await page.getByTestId('launch').click();
    await expect.poll(() => page.getByTestId('form-issues').innerText(), UI).toContain('CIFAR-10 on this machine holds 100 training images');
    expect(page.url()).toContain('#/new');
  });

  it('shows settings with the detected backends and the store locations', async () => {
    const autoOption = page.getByTestId('field-backend').locator('option[value=auto]');
    await go(page, '#/new');
    await expect.poll(() => autoOption.innerText(), UI).toBe('auto: best available');
    await go(page, '#/settings');
    await expect.poll(() => page.getByTestId('system-info').innerText(), UI).toContain(server.dbPath);
    expect(await page.getByTestId('backend-cpu').isVisible()).toBe(true);
    // A backend this machine cannot run cannot be picked; its reason is shown beside it.
    for (const name of ['node-gpu', 'node', 'wasm', 'cpu']) {
      const card = page.locator('label.backend', { has: page.getByTestId(`backend-${name}`) });
      const unavailable = (await card.innerText()).includes('not available');
      expect(await page.getByTestId(`backend-${name}`).isDisabled(), name).toBe(unavailable);
    }

    // A wrong number is said at the field, under its caption, and cannot be saved.
    const concurrency = page.getByLabel('Runs trained at the same time', { exact: true });
    const save = page.getByRole('button', { name: 'Save', exact: true });
    for (const [typed, message] of [['0', 'must be at least 1'], ['1.5', 'must be a whole number'], ['abc', 'must be a number'], ['', 'must be a number'], ['100', 'must be at most 16']] as const) {
      await concurrency.fill(typed);
      const error = page.locator('.field-error', { hasText: message });
      await expect.poll(() => error.isVisible(), UI).toBe(true);
      expect(await concurrency.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
      expect(await save.isDisabled()).toBe(true);
    }
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'settings-invalid');
    await concurrency.fill('2');
    await expect.poll(() => page.locator('.field-error').count(), UI).toBe(0);
    await save.click();
    await expect.poll(() => page.locator('.notice.ok').innerText(), UI).toBe('Concurrency saved.');

    // A backend saved where it cannot run (by an older version, or removed since) is said to be so.
    const missing = await firstUnavailableBackend(page);
    const db = new Database(server.dbPath);
    try {
      db.prepare("INSERT INTO settings (key, value) VALUES ('backend', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(missing));
    } finally {
      db.close();
    }
    await page.reload();
    const warning = page.getByTestId('saved-backend-unavailable');
    await expect.poll(() => warning.isVisible(), UI).toBe(true);
    expect(await warning.innerText()).toMatch(new RegExp(`^${missing} is saved but not available on this machine: .+\\. New runs on auto are refused until you choose another backend here\\.$`));
    await screenshot(page, 'settings-saved-unavailable');

    // The form's auto says what Settings will make of it.
    await page.getByTestId('backend-cpu').check();
    await expect.poll(() => page.locator('.notice.ok').innerText(), UI).toBe('Backend saved.');
    expect(await warning.count()).toBe(0);
    expect(await horizontalOverflow(page)).toBe(0);
    await screenshot(page, 'settings');
    await go(page, '#/new');
    await expect.poll(() => autoOption.innerText(), UI).toBe('auto (Settings: cpu)');
  });

  it('says so when the server refuses the token', async () => {
    await page.evaluate("window.sessionStorage.setItem('rigl-lab.token', 'not-the-token')");
    // The page itself still loads (its cookie is good); the api socket carries the stored token.
    await page.reload();
    await expect.poll(() => page.getByTestId('connection-banner').innerText(), UI).toContain('refused');
    await screenshot(page, 'token-refused');
    await page.goto(server.url);
    await expect.poll(() => page.getByTestId('experiments-table').isVisible(), UI).toBe(true);
  });

  it('lets a tab opened from a link of the app in, on the cookie of the first', async () => {
    const tab = await page.context().newPage();
    try {
      // What a middle click on a run's link opens: the app's address without a token.
      await tab.goto(new URL('/#/runs', server.url).toString());
      // The grid's runs but the one deleted, and the terminal's.
      await expect.poll(() => tab.locator('[data-run-id]').count(), UI).toBe(RUNS);
      expect(await tab.getByTestId('connection-banner').count()).toBe(0);
      await screenshot(tab, 'new-tab');
    } finally {
      await tab.close();
    }
  });

  it('says so when the server goes away', async () => {
    await server.stop();
    await expect.poll(() => page.getByTestId('connection-banner').innerText(), { timeout: 15_000 }).toContain('Connection to the RigL Lab server lost');
    await screenshot(page, 'connection-lost');
    expect(browser.errors).toEqual([]);
  });
}, TRAINING_TIMEOUT_MS * 2);
