// outcome-key.test.mjs: recording an outcome by key on a done move in the
// demo workspace — the QBR prep note is carried out, its detail (opened
// from the signal that made it) lists its outcomes, o opens the picker, the
// arrows choose "meeting held", a note is typed and Enter records it: the
// detail shows it as recorded by hand, and the API and `caseyos outcomes`
// hold it, by key, with the note.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, call, run, serve, shot, tempDir, until } from './harness.mjs';

describe('Recording an outcome by key', () => {
  let dir, srv, b, page, note, types;

  before(async () => {
    dir = tempDir('caseyos-outcome-');
    srv = await serve(dir);
    const today = (await call(srv, 'TodayService.Today', ['', 50])).body.moves;
    note = today.find((m) => m.kind === 'note' && /quarterly review/.test(m.title));
    assert.ok(note, `the demo has the QBR prep note: ${JSON.stringify(today.map((m) => [m.kind, m.title]))}`);
    const ex = await call(srv, 'ExecutionService.ExecuteMove', [note.id, { preview_hash: '', via: 'key', allow_template: false }]);
    assert.equal(ex.status, 200, `execute the note: ${JSON.stringify(ex.body)}`);
    await until(async () => (await call(srv, 'TodayService.Move', [note.id])).body.status === 'done', 'the note to be done', 15_000);
    types = (await call(srv, 'OutcomesService.OutcomeTypes')).body;
    b = await browser({ width: 1000, height: 900 });
    page = await b.page();
    await page.goto(srv.url);
    await page.waitForSelector('[data-move-id]');
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('o on the done move’s detail, arrows, a note and Enter record it', async () => {
    // The done move is off Today's list: its signal opens its detail.
    await page.click('[data-testid=nav-signals]');
    await page.click(`[data-testid=signals] button.link:text-is("#${note.id}")`);
    await page.waitForSelector('[data-testid=outcomes]');
    assert.equal((await page.$$('[data-testid=outcome]')).length, 0, 'a note has no outcome yet');

    await page.keyboard.press('o');
    await page.waitForSelector('[data-testid=outcome-picker]');
    const want = types.findIndex((t) => t.type === 'meeting_held');
    assert.ok(want > 0, `meeting_held is among ${JSON.stringify(types)}`);
    for (let i = 0; i < want; i++) await page.keyboard.press('ArrowDown');
    assert.equal(await page.$eval('[data-testid=outcome-picker] input[type=radio]:checked', (e) => e.value), 'meeting_held');
    await page.click('[data-testid=outcome-note]');
    await page.keyboard.type('QBR held, renewal on track');
    await shot(page, 'outcome-picker');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid=outcome-picker]', { state: 'detached' });
    await page.waitForSelector('[data-testid=outcome][data-type=meeting_held]');
    assert.match(await page.textContent('[data-testid=outcome][data-type=meeting_held]'), /QBR held, renewal on track/);
    await shot(page, 'outcome-recorded');

    const list = (await call(srv, 'OutcomesService.Outcomes', [note.id])).body;
    assert.equal(list.length, 1, JSON.stringify(list));
    assert.equal(list[0].type, 'meeting_held');
    assert.equal(list[0].actor, 'key');
    assert.equal(list[0].note, 'QBR held, renewal on track');
    const cli = await run(['outcomes', String(note.id), '--json', '--data-dir', dir]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.ok(JSON.parse(cli.stdout).some((o) => o.type === 'meeting_held' && o.actor === 'key'), cli.stdout);
    assert.deepEqual(b.errors, []);
  });
});
