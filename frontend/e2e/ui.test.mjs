// ui.test.mjs: the browser end-to-end tests of issue 3 — Debian's Chromium
// against `caseyos serve` on a fresh data dir (the demo workspace).
// Run: CASEYOS_BIN=../build/bin/caseyos node --test e2e/   (or make frontend-e2e)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, call, rows, run, serve, shot, tempDir, until } from './harness.mjs';

describe('Today in the browser (demo workspace)', () => {
  let dir, srv, b, page;

  before(async () => {
    dir = tempDir('caseyos-e2e-');
    srv = await serve(dir);
    b = await browser();
    page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector('[data-move-id]');
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the token out of the address bar', async () => {
    assert.ok(!page.url().includes('token='), page.url());
    assert.equal(await page.evaluate(() => sessionStorage.getItem('caseyos.token')), srv.token);
  });

  it('lists the moves in APS order, labelled demo', async () => {
    const r = await rows(page);
    assert.ok(r.ids.length >= 5, `only ${r.ids.length} rows`);
    for (let i = 1; i < r.aps.length; i++) assert.ok(r.aps[i - 1] >= r.aps[i], `APS not descending at ${i}: ${r.aps}`);
    const today = await call(srv, 'TodayService.Today', ['', 0]);
    assert.equal(today.status, 200);
    assert.deepEqual(r.ids, today.body.moves.map((m) => m.id));
    assert.equal(today.body.workspace.demo, true);
    assert.ok(await page.isVisible('[data-testid=demo-badge]'));
    assert.match(await page.textContent('[data-testid=demo-banner]'), /demo/i);
    assert.equal(r.focused, r.ids[0]);
    await shot(page, 'today-dark');
  });

  it('a page opened without the token says how to get in', async () => {
    const other = await b.context.newPage();
    await other.goto(srv.origin + '/');
    await other.waitForSelector('[data-testid=state-error]');
    assert.match(await other.textContent('[data-testid=state-error]'), /token/);
    await shot(other, 'no-token');
    await other.close();
  });

  it('refuses an API call without the token (401) or with a wrong one', async () => {
    const none = await call(srv, 'TodayService.Today', ['', 0], '');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'unauthorized');
    const wrong = await call(srv, 'TodayService.Today', ['', 0], 'not-the-token');
    assert.equal(wrong.status, 401);
    const events = await fetch(`${srv.origin}/api/events`);
    assert.equal(events.status, 401);
    await events.body?.cancel();
  });

  it('s skips the focused move and focus moves to the next', async () => {
    const before = await rows(page);
    const pending = (await call(srv, 'SignalsService.Stats')).body.pending;
    const [first, second] = before.ids;
    assert.equal(before.focused, first);
    await page.keyboard.press('s');
    await page.waitForFunction(
      ([gone, next]) => !document.querySelector(`[data-move-id="${gone}"]`) && document.querySelector('.move-row.focused')?.dataset.moveId === String(next),
      [first, second],
    );
    // The server agrees, and a live refresh keeps the focus.
    await page.waitForFunction((n) => document.querySelector('[data-testid=stat-pending] b')?.textContent === String(n), pending - 1);
    const m = await call(srv, 'TodayService.Move', [first]);
    assert.equal(m.body.status, 'skipped');
    const after = await rows(page);
    assert.equal(after.focused, second);
    assert.ok(!after.ids.includes(first));
    await shot(page, 'after-skip');
  });

  it('z brings the skipped move back', async () => {
    const before = await rows(page);
    const today = await call(srv, 'TodayService.Today', ['', 0]);
    await page.keyboard.press('z');
    await page.waitForFunction((ids) => [...document.querySelectorAll('[data-move-id]')].some((e) => !ids.includes(Number(e.dataset.moveId))), before.ids);
    const after = await rows(page);
    const back = after.ids.find((id) => !before.ids.includes(id));
    assert.ok(back, 'a move came back');
    const m = await call(srv, 'TodayService.Move', [back]);
    assert.equal(m.body.status, 'pending');
    assert.equal(after.focused, back, 'focus goes to the move that came back');
    assert.ok(!today.body.moves.some((x) => x.id === back));
    // Back at the top, in APS order.
    for (let i = 1; i < after.aps.length; i++) assert.ok(after.aps[i - 1] >= after.aps[i]);
  });

  it('j/k move the focus', async () => {
    const r = await rows(page);
    await page.keyboard.press('Home'); // not bound: nothing happens
    const start = r.ids.indexOf(r.focused);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const after = await rows(page);
    assert.equal(after.focused, r.ids[Math.min(start + 1, r.ids.length - 1)]);
    await page.keyboard.press('k');
    await page.keyboard.press('k');
  });

  it('tabs filter by domain, and the counts match the rows', async () => {
    const stats = await call(srv, 'SignalsService.Stats');
    const names = { sales: '2', marketing: '3', cs: '4' };
    for (const [domain, key] of Object.entries(names)) {
      await page.keyboard.press(key);
      // The tab shows the moves it has at once, then the server's full list
      // for the domain (up to the default limit of 10) arrives.
      await page.waitForFunction(
        (d) => {
          const els = [...document.querySelectorAll('[data-move-id]')];
          const count = Number(document.querySelector(`[data-testid=count-${d}]`)?.textContent.replace(/,/g, ''));
          return els.length === Math.min(count, 10) && els.every((e) => e.dataset.domain === d) && document.querySelector(`[data-testid=tab-${d}]`)?.getAttribute('aria-selected') === 'true';
        },
        domain,
      );
      const r = await rows(page);
      const count = Number((await page.textContent(`[data-testid=count-${domain}]`)).replace(/,/g, ''));
      assert.equal(count, stats.body.by_domain[domain] ?? 0, `${domain} count`);
      assert.equal(r.ids.length, Math.min(count, 10), `${domain}: ${r.ids.length} rows, count ${count}`);
      for (let i = 1; i < r.aps.length; i++) assert.ok(r.aps[i - 1] >= r.aps[i]);
      if (domain === 'sales') await shot(page, 'tab-sales');
    }
    // The mouse does the same.
    await page.click('[data-testid=tab-all]');
    await page.waitForFunction(() => document.querySelector('[data-testid=tab-all]')?.getAttribute('aria-selected') === 'true' && new Set([...document.querySelectorAll('[data-move-id]')].map((e) => e.dataset.domain)).size > 1);
    const all = Number((await page.textContent('[data-testid=count-all]')).replace(/,/g, ''));
    assert.equal(all, stats.body.pending);
  });

  it('expanding a move shows its four components, and the learned line when it has one, summing to its APS', async () => {
    const r = await rows(page);
    const lines = {};
    for (const id of r.ids.slice(0, 4)) {
      await page.click(`[data-move-id="${id}"] [data-testid=expand]`);
      const got = await page.$$eval(`[data-move-id="${id}"] [data-component]`, (els) => els.map((e) => [e.dataset.component, Number(e.dataset.contribution)]));
      const kinds = got.map(([k]) => k);
      assert.deepEqual(kinds.slice(0, 4), ['revenue', 'urgency', 'effort', 'strategic']);
      assert.ok(kinds.length === 4 || (kinds.length === 5 && kinds[4] === 'learned'), `move ${id}: components ${kinds}`);
      lines[id] = kinds.length;
      const sum = got.reduce((a, [, c]) => a + c, 0);
      const aps = Number(await page.getAttribute(`[data-move-id="${id}"]`, 'data-aps'));
      assert.ok(Math.abs(sum - aps) <= 0.1 + 1e-9, `move ${id}: components sum to ${sum}, APS ${aps}`);
      const shown = Number((await page.textContent(`[data-move-id="${id}"] [data-testid=breakdown-sum]`)).replace(/[^\d.]/g, ''));
      assert.ok(Math.abs(shown - aps) <= 0.1 + 1e-9);
      assert.ok((await page.$$(`[data-move-id="${id}"] .reasons li`)).length >= 1, 'every reason is listed');
    }
    await page.click(`[data-move-id="${r.ids[0]}"] .title`);
    await shot(page, 'expanded');
    for (const id of r.ids.slice(0, 4)) await page.click(`[data-move-id="${id}"] [data-testid=expand]`);
    // Space toggles the focused one by keyboard.
    await page.click(`[data-move-id="${r.ids[0]}"] .title`);
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`[data-move-id="${r.ids[0]}"] [data-component]`).count(), lines[r.ids[0]]);
    await page.keyboard.press('Space');
    assert.equal(await page.locator(`[data-move-id="${r.ids[0]}"] [data-component]`).count(), 0);
  });

  it('a skip from the CLI in another process updates the open page without a reload', async () => {
    await page.evaluate(() => (window.__noReload = true));
    const r = await rows(page);
    const focused = r.focused;
    const victim = r.ids.find((id) => id !== focused);
    const res = await run(['skip', String(victim), '--data-dir', dir]);
    assert.equal(res.code, 0, `caseyos skip: ${res.stdout}${res.stderr}`);
    await page.waitForFunction((id) => !document.querySelector(`[data-move-id="${id}"]`), victim, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__noReload), true, 'the page did not reload');
    const after = await rows(page);
    assert.equal(after.focused, focused, 'focus stays on the same move');
    // Put it back for the next tests.
    await page.keyboard.press('z');
    await page.waitForFunction((id) => !!document.querySelector(`[data-move-id="${id}"]`), victim);
  });

  it('Enter opens the detail: the exact draft, what executing does, the history', async () => {
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=detail] [data-testid=draft]');
    await page.waitForSelector('[data-testid=detail] .history li, [data-testid=detail] .history + p, [data-testid=detail] .muted');
    await shot(page, 'detail');
    // The draft is editable and saved with UpdateDraft.
    const id = (await rows(page)).focused;
    const field = page.locator('[data-testid=draft] [data-field]:not([readonly])').first();
    const name = await field.getAttribute('data-field');
    if (name && name !== 'task_due') {
      await field.fill((await field.inputValue()) + ' (edited)');
      await page.click('[data-testid=save-draft]');
      // The button is disabled while saving too: wait for the answer.
      await page.waitForSelector('[data-testid=draft-saved]');
      const m = await call(srv, 'TodayService.Move', [id]);
      const v = m.body.draft[name];
      assert.ok(String(Array.isArray(v) ? v.join(', ') : v).endsWith('(edited)'), `draft ${name} = ${v}`);
    }
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=detail]', { state: 'detached' });
  });

  it('h opens the snooze chooser; ? the help; mod+K the palette', async () => {
    await page.keyboard.press('h');
    await page.waitForSelector('[data-testid=snooze-chooser]');
    await shot(page, 'snooze');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid=help]');
    const help = await page.textContent('[data-testid=help]');
    for (const label of ['Skip the move', 'Execute the move', 'Undo', 'Command palette']) assert.ok(help.includes(label), label);
    await shot(page, 'help');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+k');
    await page.waitForSelector('[data-testid=palette]');
    await page.keyboard.type('sig');
    await shot(page, 'palette');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=signals] li');
  });

  it('the other views draw: signals, settings, connections', async () => {
    await shot(page, 'signals');
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=weight-sum]');
    assert.match(await page.textContent('[data-testid=weight-sum]'), /1\.00/);
    await shot(page, 'settings');
    // The weights must add up to 1 before anything is saved.
    await page.fill('[data-weight=revenue]', '0.5');
    assert.match(await page.textContent('[data-testid=weight-sum]'), /1\.10.*must add up/);
    assert.equal(await page.isDisabled('[data-testid=save-settings]'), true);
    await page.fill('[data-weight=revenue]', '0.4');
    await page.fill('[data-testid=undo-window]', '12');
    await page.click('[data-testid=save-settings]');
    await page.waitForSelector('[data-testid=settings-saved]');
    assert.equal((await call(srv, 'SettingsService.Settings')).body.undo_window_seconds, 12);
    await page.click('[data-testid=nav-connections]');
    await page.waitForSelector('[data-testid=connections] li');
    await shot(page, 'connections');
    await page.click('[data-testid=nav-today]');
    await page.waitForSelector('[data-move-id]');
  });

  it('draws in the light theme and in a wide tab', async () => {
    await page.click('[data-testid=theme-toggle]');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await page.evaluate(() => localStorage.getItem('caseyos.theme')), 'light');
    await shot(page, 'today-light');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=detail] [data-testid=draft]');
    await shot(page, 'wide-detail');
    await page.keyboard.press('Escape');
    await page.click('[data-testid=theme-toggle]');
    await page.setViewportSize({ width: 440, height: 760 });
  });

  it('e executes: a note runs and focus moves on; a demo send waits and the Undo button takes it back', async () => {
    const today = (await call(srv, 'TodayService.Today', ['', 0])).body.moves;
    const note = today.find((m) => m.kind === 'note');
    const email = today.find((m) => m.kind === 'send_email');
    assert.ok(note && email, 'the demo has a note and an email move');
    const done = (await call(srv, 'SignalsService.Stats')).body.done_today;
    await page.click(`[data-move-id="${note.id}"] .title`);
    const r = await rows(page);
    const next = r.ids[r.ids.indexOf(note.id) + 1];
    await page.keyboard.press('e');
    await page.waitForFunction(
      ([gone, nx]) => !document.querySelector(`[data-move-id="${gone}"]`) && document.querySelector('.move-row.focused')?.dataset.moveId === String(nx),
      [note.id, next],
    );
    // The row leaves as the note starts executing; done follows at once.
    await until(async () => (await call(srv, 'TodayService.Move', [note.id])).body.status === 'done', `note ${note.id} done`);
    await page.waitForFunction((n) => document.querySelector('[data-testid=stat-done] b')?.textContent === String(n), done + 1);

    // Open around the clock, so the send is not held for the recipient's morning.
    assert.equal((await call(srv, 'SettingsService.SetSendWindow', [{ start: '00:00', end: '24:00', skip_weekends: false }, 'click'])).status, 200);
    // The demo's sends go to its fake Gmail, after the undo window: by
    // mouse, Execute then Undo, and the move is back with nothing sent.
    // (A row's buttons show on the focused row: pick it first.)
    await page.click(`[data-move-id="${email.id}"] .title`);
    await page.click(`[data-move-id="${email.id}"] [data-testid=row-execute]`);
    await page.waitForSelector(`[data-testid=undo-bar][data-move-id-waiting="${email.id}"]`);
    await page.click('[data-testid=undo-cancel]');
    await page.waitForSelector(`[data-move-id="${email.id}"].focused`);
    assert.equal((await call(srv, 'TodayService.Move', [email.id])).body.status, 'pending');
  });

  it('says so when CaseyOS goes away', async () => {
    await srv.stop();
    await page.waitForSelector('[data-testid=offline]', { timeout: 15_000 });
    await shot(page, 'offline');
    assert.deepEqual(b.errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|EventSource/i.test(e)), []);
  });
});

describe('A real workspace with no account connected', () => {
  let dir, srv, b;

  before(async () => {
    dir = tempDir('caseyos-e2e-real-');
    const file = `${dir}/reply.jsonl`;
    const at = new Date(Date.now() - 3600_000).toISOString();
    fs.writeFileSync(file, JSON.stringify({ source: 'gmail', type: 'email.replied', occurred_at: at, dedupe_key: 'e2e:reply',
      email: { thread_id: 't-1', from: 'maya@acme.io', from_name: 'Maya Chen', subject: 'Pricing', received_at: at } }) + '\n');
    const res = await run(['ingest', file, '--data-dir', dir]);
    assert.equal(res.code, 0, res.stderr);
    srv = await serve(dir);
    b = await browser();
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('e on a send comes back with the account to connect, and the move stays', async () => {
    const page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector('[data-move-id]');
    assert.equal(await page.$('[data-testid=demo-banner]'), null, 'not the demo');
    const [id] = (await rows(page)).ids;
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid=notice-error]');
    assert.match(await page.textContent('[data-testid=notice-error]'), /Gmail|google|account/i);
    await page.waitForSelector(`[data-move-id="${id}"].focused`);
    assert.equal((await call(srv, 'TodayService.Move', [id])).body.status, 'pending');
    await shot(page, 'execute-error');
  });
});
