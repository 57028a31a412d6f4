// meeting.test.mjs: a schedule_meeting move in the demo workspace, end to
// end — its preview shows the three free slots Calendar free/busy gave,
// and executing it books the first on the demo's fake Calendar, with the
// move's attendees.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, call, serve, shot, tempDir } from './harness.mjs';

/** events lists the demo's fake Calendar (it takes any bearer token). */
async function events(base) {
  const res = await fetch(`${base}calendars/primary/events?maxResults=2500`, { headers: { Authorization: 'Bearer demo' } });
  assert.equal(res.status, 200, `GET events: ${res.status}`);
  return (await res.json()).items ?? [];
}

describe('Booking a meeting someone asked for, in the demo workspace', () => {
  let dir, srv, b, page, base, move;

  before(async () => {
    dir = tempDir('caseyos-meeting-');
    srv = await serve(dir);
    const ws = await call(srv, 'SignalsService.Workspace');
    base = ws.body.demo_accounts?.gcal;
    assert.ok(ws.body.demo && base, `the demo runs on its fakes: ${JSON.stringify(ws.body)}`);
    // No undo window, and a send window open around the clock: the test
    // does not depend on the hour in the guests' time zones.
    const st = (await call(srv, 'SettingsService.Settings')).body;
    assert.equal((await call(srv, 'SettingsService.SaveSettings', [{ ...st, undo_window_seconds: 0 }])).status, 200);
    assert.equal((await call(srv, 'SettingsService.SetSendWindow', [{ start: '00:00', end: '24:00', skip_weekends: false }, 'click'])).status, 200);
    const today = (await call(srv, 'TodayService.Today', ['', 50])).body.moves;
    const meetings = today.filter((m) => m.kind === 'schedule_meeting');
    // Dana's call when her email's body reached us, else Priya's.
    move = meetings.find((m) => /Dana/.test(m.title)) ?? meetings[0];
    assert.ok(move, `the demo has a schedule_meeting move: ${today.map((m) => m.kind + ' ' + m.title).join('; ')}`);
    b = await browser({ width: 900 });
    page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector(`[data-move-id="${move.id}"]`);
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the preview shows three free slots, on quarter hours, the first booked', async () => {
    await page.click(`[data-move-id="${move.id}"] .title`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=detail] [data-testid=meeting-slots] li');
    const starts = await page.$$eval('[data-testid=meeting-slots] li', (ls) => ls.map((l) => l.dataset.slotStart));
    assert.equal(starts.length, 3, `slots: ${starts}`);
    for (const s of starts) {
      const t = new Date(s);
      assert.ok(t.getTime() > Date.now() + 55 * 60_000, `slot ${s} is at least an hour ahead`);
      assert.equal(t.getUTCMinutes() % 15, 0, `slot ${s} is on a quarter hour`);
    }
    assert.match(await page.textContent('[data-testid=meeting-slots] li.chosen'), /booked/);
    await shot(page, 'meeting-preview');
    const pv = (await call(srv, 'ExecutionService.PreviewExecution', [move.id])).body;
    assert.deepEqual(pv.plan.meeting.slots.map((x) => x.start), starts);
  });

  it('executing books the event on the fake Calendar, once', async () => {
    const beforeIds = new Set((await events(base)).map((e) => e.id));
    const pv = (await call(srv, 'ExecutionService.PreviewExecution', [move.id])).body;
    await page.click('[data-testid=detail-execute]');
    let m;
    for (let i = 0; i < 100; i++) {
      m = (await call(srv, 'TodayService.Move', [move.id])).body;
      if (m.status === 'done' || m.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(m.status, 'done', `move: ${JSON.stringify(m)}`);
    const fresh = (await events(base)).filter((e) => !beforeIds.has(e.id));
    assert.equal(fresh.length, 1, `new events: ${JSON.stringify(fresh)}`);
    const ev = fresh[0];
    assert.equal(new Date(ev.start.dateTime).getTime(), new Date(pv.plan.meeting.start).getTime(), 'the booked time is the preview’s first slot');
    const guests = (ev.attendees ?? []).map((a) => a.email).sort();
    for (const to of move.draft.to) assert.ok(guests.includes(to), `${to} is invited: ${guests}`);
    await shot(page, 'meeting-booked');
    assert.deepEqual(b.errors.filter((e) => !/Failed to load resource/i.test(e)), []);
  });
});
