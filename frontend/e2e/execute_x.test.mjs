// execute_x.test.mjs: replying on X in the demo workspace, end to end — e on
// @devjess's mention shows the countdown, the reply reaches the demo's fake X
// (through the real connector, every request OAuth 1.0a signed) exactly once
// when the window passes, and z afterwards rolls it back: X deletes it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { browser, call, serve, shot, tempDir, until } from './harness.mjs';

// The demo X app's keys and @pebblecache's token: connectors/x/xtest's
// Demo* constants, worthless outside the fake.
const demo = {
  consumerKey: 'cAseyOSdemoConsumerKey001',
  consumerSecret: 'cAseyOSdemoConsumerSecretNotASecretAnywhere0000001',
  token: '1500000000000000001-cAseyOSdemoAccessToken000000000000000001',
  tokenSecret: 'cAseyOSdemoAccessSecretNotASecretAnywhere0001',
  userID: '1500000000000000001',
};
const MENTION = '1790000000000000404'; // @devjess's mention (backend/demo/scenario.jsonl)

/** enc is RFC 3986 percent-encoding, as RFC 5849 §3.6 asks. */
const enc = (v) => encodeURIComponent(v).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** xGet reads the fake X as the demo account, signed with HMAC-SHA1 (RFC 5849). */
async function xGet(base, path) {
  const url = new URL(base + path);
  const oauth = {
    oauth_consumer_key: demo.consumerKey,
    oauth_nonce: crypto.randomBytes(16).toString('hex'),
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_token: demo.token,
    oauth_version: '1.0',
  };
  const pairs = [...url.searchParams.entries(), ...Object.entries(oauth)]
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  const baseString = ['GET', enc(url.origin + url.pathname), enc(pairs.map(([k, v]) => `${k}=${v}`).join('&'))].join('&');
  const signature = crypto.createHmac('sha1', `${enc(demo.consumerSecret)}&${enc(demo.tokenSecret)}`).update(baseString).digest('base64');
  const header = 'OAuth ' + Object.entries({ ...oauth, oauth_signature: signature }).map(([k, v]) => `${enc(k)}="${enc(v)}"`).join(', ');
  const res = await fetch(url, { headers: { Authorization: header } });
  assert.equal(res.status, 200, `GET ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** replies are @pebblecache's live posts answering @devjess's mention. */
async function replies(base) {
  const page = await xGet(base, `/2/users/${demo.userID}/tweets?max_results=100&tweet.fields=referenced_tweets`);
  return (page.data ?? []).filter((t) => (t.referenced_tweets ?? []).some((r) => r.type === 'replied_to' && r.id === MENTION));
}

describe('Replying on X in the demo workspace', () => {
  let dir, srv, b, page, base, move;

  before(async () => {
    dir = tempDir('caseyos-x-');
    srv = await serve(dir);
    const ws = await call(srv, 'SignalsService.Workspace');
    base = ws.body.demo_accounts?.x;
    assert.ok(ws.body.demo && base, `the demo runs on its fake X: ${JSON.stringify(ws.body)}`);
    const st = (await call(srv, 'SettingsService.Settings')).body;
    assert.equal((await call(srv, 'SettingsService.SaveSettings', [{ ...st, undo_window_seconds: 3 }])).status, 200);
    assert.equal((await call(srv, 'SettingsService.SetSendWindow', [{ start: '00:00', end: '24:00', skip_weekends: false }, 'click'])).status, 200);
    const today = (await call(srv, 'TodayService.Today', ['', 50])).body.moves;
    move = today.find((m) => m.kind === 'reply_social' && m.draft?.post_id === MENTION);
    assert.ok(move, `the demo has a reply to @devjess's mention: ${JSON.stringify(today.map((m) => [m.kind, m.title]))}`);
    assert.ok(!move.not_available, `the reply can be carried out: ${move.not_available}`);
    b = await browser();
    page = await b.page();
    await page.goto(srv.url);
    // Replies on X are marketing's: past the top of the whole list.
    await page.click(`[data-testid=tab-${move.domain}]`);
    await page.waitForSelector(`[data-move-id="${move.id}"]`);
  });

  after(async () => {
    await b?.close();
    await srv?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('e shows the countdown; one reply reaches X when the window passes', async () => {
    assert.equal((await replies(base)).length, 0, 'the fake X holds no reply yet');
    await page.click(`[data-move-id="${move.id}"] .title`);
    await page.keyboard.press('e');
    await page.waitForSelector(`[data-testid=undo-bar][data-move-id-waiting="${move.id}"]`);
    assert.match(await page.textContent('[data-testid=undo-seconds]'), /in [1-3]s/);
    await shot(page, 'x-undo-countdown');
    assert.equal((await replies(base)).length, 0, 'nothing reaches X inside the window');
    await page.waitForSelector('[data-testid=undo-bar]', { state: 'detached', timeout: 15_000 });
    await until(async () => (await call(srv, 'TodayService.Move', [move.id])).body.status === 'done', 'the move done', 10_000);
    const got = await replies(base);
    assert.equal(got.length, 1, `replies on the fake X: ${JSON.stringify(got)}`);
    assert.match(got[0].text, /^@devjess /, 'X put the handle before the reply');
    await shot(page, 'x-after-reply');
  });

  it('z afterwards rolls it back: the reply is deleted on X', async () => {
    await page.keyboard.press('z');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=notice-info]')].some((n) => /^Taken back:/.test(n.textContent.trim())));
    await until(async () => (await replies(base)).length === 0, 'the reply deleted on the fake X', 10_000);
    const st = (await call(srv, 'ExecutionService.ExecutionStatus', [move.id])).body;
    assert.ok(st.rolled_back_at, `the execution records its rollback: ${JSON.stringify(st)}`);
    await shot(page, 'x-rolled-back');
    assert.deepEqual(b.errors.filter((e) => !/Failed to load resource/i.test(e)), []);
  });
});
