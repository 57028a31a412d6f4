// execute.test.mjs: executing a reply in the demo workspace, end to end —
// the countdown shows, z cancels with nothing sent, executing again sends
// exactly one threaded reply to the demo's fake Gmail once the window
// passes, and the move is done.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, call, rows, serve, shot, tempDir } from './harness.mjs';

/** gmail calls the demo's fake Gmail (it takes any bearer token). */
async function gmail(base, path) {
  const res = await fetch(`${base}gmail/v1/users/me/${path}`, { headers: { Authorization: 'Bearer demo' } });
  assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
  return res.json();
}

async function sent(base) {
  const list = await gmail(base, 'messages?labelIds=SENT&maxResults=500');
  return list.messages ?? [];
}

describe('Executing a reply in the demo workspace', () => {
  let dir, srv, b, page, base, reply;

  before(async () => {
    dir = tempDir('caseyos-exec-');
    srv = await serve(dir);
    const ws = await call(srv, 'SignalsService.Workspace');
    base = ws.body.demo_accounts?.gmail;
    assert.ok(ws.body.demo && base, `the demo runs on its fakes: ${JSON.stringify(ws.body)}`);
    // A short undo window, and a send window open around the clock, so the
    // test does not depend on the hour in the recipient's time zone.
    const st = (await call(srv, 'SettingsService.Settings')).body;
    assert.equal((await call(srv, 'SettingsService.SaveSettings', [{ ...st, undo_window_seconds: 3 }])).status, 200);
    assert.equal((await call(srv, 'SettingsService.SetSendWindow', [{ start: '00:00', end: '24:00', skip_weekends: false }, 'click'])).status, 200);
    const today = (await call(srv, 'TodayService.Today', ['', 50])).body.moves;
    reply = today.find((m) => m.kind === 'send_email' && m.source === 'gmail' && m.draft?.thread_id);
    assert.ok(reply, 'the demo has a reply to a thread');
    b = await browser();
    page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector(`[data-move-id="${reply.id}"]`);
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('e shows the countdown; z takes it back with nothing sent', async () => {
    const before = (await sent(base)).length;
    await page.click(`[data-move-id="${reply.id}"] .title`);
    await page.keyboard.press('e');
    await page.waitForSelector(`[data-testid=undo-bar][data-move-id-waiting="${reply.id}"]`);
    assert.match(await page.textContent('[data-testid=undo-seconds]'), /Sending in [1-3]s/);
    assert.ok(!(await page.$(`[data-move-id="${reply.id}"]`)), 'the row is out of the list while it waits');
    await shot(page, 'undo-countdown');
    await page.keyboard.press('z');
    await page.waitForSelector('[data-testid=undo-bar]', { state: 'detached' });
    await page.waitForFunction((id) => document.querySelector('.move-row.focused')?.dataset.moveId === String(id), reply.id);
    assert.equal((await call(srv, 'TodayService.Move', [reply.id])).body.status, 'pending');
    // Past the window: still nothing reached Gmail.
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal((await sent(base)).length, before, 'a cancelled send reached the fake Gmail');
  });

  it('executed again, exactly one threaded reply leaves when the window passes', async () => {
    const before = new Set((await sent(base)).map((m) => m.id));
    const r = await rows(page);
    assert.equal(r.focused, reply.id);
    await page.keyboard.press('e');
    await page.waitForSelector(`[data-testid=undo-bar][data-move-id-waiting="${reply.id}"]`);
    await page.waitForSelector('[data-testid=undo-bar]', { state: 'detached', timeout: 15_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=notice-info]')].some((n) => /^Sent:/.test(n.textContent.trim())));
    await shot(page, 'after-send');
    const m = (await call(srv, 'TodayService.Move', [reply.id])).body;
    assert.equal(m.status, 'done');
    const fresh = (await sent(base)).filter((x) => !before.has(x.id));
    assert.equal(fresh.length, 1, `new sent messages: ${JSON.stringify(fresh)}`);
    const msg = await gmail(base, `messages/${fresh[0].id}?format=full`);
    const header = (n) => msg.payload.headers.find((h) => h.name.toLowerCase() === n)?.value ?? '';
    assert.equal(msg.threadId, reply.draft.thread_id, 'the reply is in the thread');
    assert.ok(header('in-reply-to') && header('references'), 'it carries In-Reply-To and References');
    assert.match(header('subject'), /^Re: /);
    assert.match(header('message-id'), /@/);
    // A second press on the same move cannot send it again.
    const again = await call(srv, 'ExecutionService.ExecuteMove', [reply.id, { preview_hash: '', via: 'key', allow_template: false }]);
    assert.equal(again.status, 409, `re-execute: ${JSON.stringify(again.body)}`);
    assert.equal((await sent(base)).filter((x) => !before.has(x.id)).length, 1);
  });

  it('the audit log shows the send and its chain is intact', async () => {
    await page.click('[data-testid=nav-audit]');
    await page.waitForSelector('[data-testid=audit] li');
    await page.click('[data-testid=verify-audit]');
    await page.waitForSelector('[data-testid=audit-check]');
    assert.match(await page.textContent('[data-testid=audit-check]'), /Intact/);
    assert.match(await page.textContent('[data-testid=audit]'), /committed|sent/i);
    await shot(page, 'audit');
  });

  it('the kill switch stops a waiting send: nothing leaves', async () => {
    const before = (await sent(base)).length;
    const next = (await call(srv, 'TodayService.Today', ['', 50])).body.moves.find((m) => m.kind === 'send_email' && m.id !== reply.id);
    assert.ok(next, 'another email move');
    assert.equal((await call(srv, 'SettingsService.SaveSettings', [{ ...(await call(srv, 'SettingsService.Settings')).body, undo_window_seconds: 30 }])).status, 200);
    await page.click('[data-testid=nav-today]');
    await page.click(`[data-move-id="${next.id}"] .title`);
    await page.keyboard.press('e');
    await page.waitForSelector(`[data-testid=undo-bar][data-move-id-waiting="${next.id}"]`);
    await page.click('[data-testid=nav-settings]');
    await page.click('[data-testid=kill-switch]');
    await page.waitForSelector('[data-testid=kill-switch-on]');
    await page.waitForSelector('[data-testid=undo-bar]', { state: 'detached' });
    await shot(page, 'kill-switch');
    assert.equal((await call(srv, 'TodayService.Move', [next.id])).body.status, 'pending');
    const refused = await call(srv, 'ExecutionService.ExecuteMove', [next.id, { preview_hash: '', via: 'key', allow_template: false }]);
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /kill switch/i);
    await page.click('[data-testid=kill-switch-off]');
    await page.waitForSelector('[data-testid=kill-switch-on]', { state: 'detached' });
    assert.equal((await sent(base)).length, before);
    assert.deepEqual(b.errors.filter((e) => !/Failed to load resource|409/i.test(e)), []);
  });

  it('a send outside the send window waits in the outbox, shown as queued', async () => {
    const before = (await sent(base)).length;
    // A window open one minute after midnight only: closed now for the recipient.
    assert.equal((await call(srv, 'SettingsService.SetSendWindow', [{ start: '00:00', end: '00:01', skip_weekends: false }, 'click'])).status, 200);
    assert.equal((await call(srv, 'SettingsService.SaveSettings', [{ ...(await call(srv, 'SettingsService.Settings')).body, undo_window_seconds: 0 }])).status, 200);
    const email = (await call(srv, 'TodayService.Today', ['', 50])).body.moves.find((m) => m.kind === 'send_email');
    await page.click('[data-testid=nav-today]');
    await page.click(`[data-move-id="${email.id}"] .title`);
    await page.keyboard.press('e');
    await page.waitForSelector('[data-testid=outbox]');
    assert.match(await page.textContent('[data-testid=outbox]'), /1 waiting to leave.*send window/s);
    await shot(page, 'outbox');
    const ob = (await call(srv, 'ExecutionService.Outbox')).body;
    assert.equal(ob.length, 1);
    assert.equal(ob[0].state, 'queued');
    assert.equal(ob[0].move_id, email.id);
    assert.equal((await sent(base)).length, before, 'a queued send left early');
  });

  it('an auto-approval rule is simulated before it is saved, and saved off', async () => {
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=rules]');
    await page.fill('[data-testid=rule-name]', 'CS handoffs');
    await page.click('[data-testid=rules] label.chip:has-text("create task") input');
    await page.fill('[data-testid=rule-min-score]', '50');
    await page.click('[data-testid=rule-simulate]');
    await page.waitForSelector('[data-testid=rule-simulation]');
    const text = await page.textContent('[data-testid=rule-simulation]');
    assert.match(text, /It would have executed [1-9]\d* of the \d+ moves/);
    assert.match(text, /Ledgerly/);
    await shot(page, 'rule-simulation');
    await page.click('[data-testid=rule-save]');
    await page.waitForSelector('[data-testid=rules] .list li');
    const rules = (await call(srv, 'SettingsService.Rules')).body;
    assert.equal(rules.length, 1);
    assert.equal(rules[0].name, 'CS handoffs');
    assert.equal(rules[0].enabled, false, 'a new rule is off');
    assert.equal(await page.isChecked('[data-testid=rule-enabled]'), false);
  });

  it('the do-not-contact list is shown and edited in Settings; a send to it is refused', async () => {
    await page.click('[data-testid=nav-settings]');
    await page.waitForSelector('[data-testid=do-not-contact] [data-testid=dnc-entry]');
    const before = (await call(srv, 'SettingsService.DoNotContact')).body.length;
    const email = (await call(srv, 'TodayService.Today', ['', 50])).body.moves.find((m) => m.kind === 'send_email' && m.draft?.to?.length);
    assert.ok(email, 'the demo has an email to send');
    const to = email.draft.to[0].toLowerCase();
    await page.fill('[data-testid=dnc-email]', to);
    await page.click('[data-testid=dnc-add]');
    const row = `[data-testid=dnc-entry]:has-text("${to}")`;
    await page.waitForSelector(row);
    const list = (await call(srv, 'SettingsService.DoNotContact')).body;
    assert.equal(list.length, before + 1);
    assert.equal(list.find((d) => d.email === to)?.by, 'click');
    const p = (await call(srv, 'ExecutionService.PreviewExecution', [email.id])).body;
    assert.equal(p.refused?.guardrail, 'do_not_contact', JSON.stringify(p.refused));
    await shot(page, 'do-not-contact');
    await page.click(`${row} [data-testid=dnc-remove]`);
    await page.waitForSelector(row, { state: 'detached' });
    assert.equal((await call(srv, 'SettingsService.DoNotContact')).body.length, before);
  });
});
