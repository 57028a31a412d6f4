// metrics.test.mjs: the Metrics view on the demo workspace — m opens it,
// it shows the demo's eight weeks of history, and every cell of its table
// is what `caseyos stats --json` prints for the same workspace (the CLI
// reaches the running serve, so both read one data file).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, run, serve, shot, tempDir } from './harness.mjs';

const pct = (r) => (r === null ? '–' : `${Math.round(r * 100)}%`);
const saved = (n) => (n >= 60 ? `${Math.floor(n / 60)} h ${n % 60} min` : `${n} min`);
const cells = (r) => ({
  executed: String(r.executed),
  replied: String(r.replied),
  reply_rate: pct(r.reply_rate),
  positive_replies: String(r.positive_replies),
  positive_reply_rate: pct(r.positive_reply_rate),
  meetings_booked: String(r.meetings_booked),
  deals_advanced: String(r.deals_advanced),
  deals_won: String(r.deals_won),
  follow_ups: `${r.follow_ups_answered} of ${r.follow_ups_sent}`,
  auto_approved_share: pct(r.auto_approved_share),
  minutes_saved: saved(r.minutes_saved),
});

describe('The Metrics view', () => {
  let dir, srv, b, page, stats;

  before(async () => {
    dir = tempDir('caseyos-metrics-');
    srv = await serve(dir);
    const r = await run(['stats', '--json', '--data-dir', dir]);
    assert.equal(r.code, 0, `caseyos stats --json: ${r.stderr}`);
    stats = JSON.parse(r.stdout);
    b = await browser({ width: 1100, height: 900 });
    page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector('[data-move-id]');
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens with m and shows the demo’s weeks, numbers as caseyos stats --json prints them', async () => {
    assert.equal(stats.weeks.length, 8);
    const executed = stats.weeks.reduce((n, w) => n + w.total.executed, 0);
    assert.ok(executed >= 50, `the demo carries a history: ${executed} executions in 8 weeks`);

    await page.keyboard.press('m');
    await page.waitForSelector('[data-testid=metrics-table]');
    assert.equal(await page.getAttribute('[data-testid=nav-metrics]', 'aria-current'), 'page');

    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=metrics-week]')].map((tb) => ({
        week: tb.dataset.week,
        rows: Object.fromEntries(
          [...tb.querySelectorAll('tr[data-kind]')].map((tr) => [tr.dataset.kind, Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map((td) => [td.dataset.col, td.textContent.trim()]))]),
        ),
      })),
    );
    // Newest week first in the table; every kind row and every total, cell by cell.
    assert.deepEqual(shown.map((w) => w.week), stats.weeks.map((w) => w.start).reverse());
    for (const w of stats.weeks) {
      const got = shown.find((s) => s.week === w.start).rows;
      const want = {};
      if (w.total.executed > 0) for (const k of w.kinds) want[k.kind] = cells(k);
      want.all = cells(w.total);
      assert.deepEqual(got, want, `week of ${w.start}`);
    }

    // Three charts, drawn by uPlot on a canvas, each labelled in words.
    for (const id of ['chart-executed', 'chart-positive', 'chart-saved']) {
      await page.waitForSelector(`[data-testid=${id}] canvas`);
      const label = await page.getAttribute(`[data-testid=${id}] [role=img]`, 'aria-label');
      assert.ok(label && label.length > 20, `${id} has a label: ${label}`);
    }
    const executedLabel = await page.getAttribute('[data-testid=chart-executed] [role=img]', 'aria-label');
    assert.ok(executedLabel.includes(stats.weeks.map((w) => w.total.executed).join(', ')), `the executed chart says the weekly counts: ${executedLabel}`);
    await shot(page, 'metrics');
    assert.deepEqual(b.errors, []);
  });
});
