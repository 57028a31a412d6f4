import { describe, expect, it, vi } from 'vitest';
import type { ExecutionPreviewDTO, ExecutionStatusDTO, KillSwitchDTO, MoveDTO, TodayDTO } from '../api';
import { afterRemoval, keep, step } from './focus';
import { QueueStore, tabCounts, type QueueApi } from './queue.svelte';

function mv(id: number, domain = 'sales', aps = 100 - id, title = `Move ${id}`): MoveDTO {
  const c = (contribution: number) => ({ value: 0.5, weight: 0.25, contribution, reason: '' });
  return {
    id, kind: 'send_email', domain, title, status: 'pending', aps, top_reason: `reason ${id}`, reasons: [`reason ${id}`],
    score: { aps, revenue: c(aps / 4), urgency: c(aps / 4), effort: c(aps / 4), strategic: c(aps / 4) },
    subject: `thread:${id}`, source: 'gmail', signal_ids: [], draft: {}, created_at: '', updated_at: '',
  };
}

/** A fake server: a pending list per domain; Skip removes, Undo restores. */
function fakeApi(initial: MoveDTO[]) {
  let pending = [...initial];
  const skipped: MoveDTO[] = [];
  const today = vi.fn(async (domain: string): Promise<TodayDTO> => {
    const by_domain: Record<string, number> = {};
    for (const m of pending) by_domain[m.domain] = (by_domain[m.domain] ?? 0) + 1;
    const moves = pending.filter((m) => !domain || m.domain === domain);
    return { workspace: { demo: true, label: 'Demo', path: '' }, pending: moves.length, by_domain, moves };
  });
  const waiting: MoveDTO[] = [];
  const status = (id: number, state: string, undo_deadline?: string, undo_seconds = 0): ExecutionStatusDTO => ({
    execution_id: 100 + id, move_id: id, idempotency_key: `move-${id}`, state, action: 'send_email', actor: 'key', summary: '',
    undo_deadline, undo_seconds, attempts: 0, result: '', error: '', created_at: '',
  });
  const api: QueueApi & { fail?: boolean; refuse?: string; window?: number; kill?: boolean; version?: number; needsAccount?: string } = {
    Today: today,
    Stats: vi.fn(async () => ({ pending: pending.length, by_domain: {}, done_today: 0, skipped_today: 0, time_saved_minutes_today: 0 })),
    Skip: vi.fn(async (id: number) => {
      if (api.fail) throw { code: 'conflict', message: 'move changed' };
      const m = pending.find((x) => x.id === id)!;
      pending = pending.filter((x) => x.id !== id);
      skipped.push(m);
      return { ...m, status: 'skipped' };
    }),
    Snooze: vi.fn(async (id: number) => {
      const m = pending.find((x) => x.id === id)!;
      pending = pending.filter((x) => x.id !== id);
      skipped.push(m);
      return { ...m, status: 'snoozed' };
    }),
    Undo: vi.fn(async () => {
      const m = skipped.pop();
      if (!m) throw { code: 'not_found', message: 'nothing to undo' };
      pending = [...pending, m].sort((a, b) => b.aps - a.aps);
      return m;
    }),
    PreviewExecution: vi.fn(async (id: number): Promise<ExecutionPreviewDTO> => {
      const m = pending.find((x) => x.id === id)!;
      return {
        move_id: id, kind: m.kind, summary: '', draft_effects: [], draft: m.draft, action: m.kind, account: 'gmail',
        hash: `p${id}-v${api.version ?? 0}`, effects: [], undo: '', undo_window_seconds: 0, plan: null,
        needs_account: api.needsAccount,
      };
    }),
    ExecuteMove: vi.fn(async (id: number, req: { preview_hash: string; via: string; allow_template: boolean }): Promise<ExecutionStatusDTO> => {
      if (api.refuse) throw { code: 'conflict', message: api.refuse };
      // What the server does: a hash from a preview of another draft is refused.
      if (req.preview_hash.startsWith('p') && req.preview_hash !== `p${id}-v${api.version ?? 0}`)
        throw { code: 'conflict', message: `Move ${id} changed since it was previewed` };
      const held = pending.find((x) => x.id === id)?.template_holes;
      if (held?.length && !req.allow_template) throw { code: 'invalid', message: `The draft still holds template text (${held.join('; ')})` };
      const m = pending.find((x) => x.id === id)!;
      pending = pending.filter((x) => x.id !== id);
      if (api.window) {
        waiting.push(m);
        return status(id, 'waiting_undo', new Date(Date.now() + api.window * 1000).toISOString(), api.window);
      }
      return status(id, 'committed');
    }),
    CancelExecution: vi.fn(async (id: number): Promise<ExecutionStatusDTO> => {
      const i = waiting.findIndex((x) => x.id === id);
      if (i < 0) throw { code: 'conflict', message: 'it is already on its way' };
      pending = [...pending, waiting.splice(i, 1)[0]].sort((a, b) => b.aps - a.aps);
      return status(id, 'undone');
    }),
    KillSwitch: vi.fn(async (state: string): Promise<KillSwitchDTO> => {
      if (state !== 'status') api.kill = state === 'on';
      const cancelled = api.kill && state === 'on' ? waiting.splice(0).map((m) => (pending.push(m), m.id)) : [];
      return { on: !!api.kill, reason: '', cancelled_move_ids: cancelled };
    }),
  };
  return { api, set: (ms: MoveDTO[]) => (pending = ms), today };
}

const ids = (q: QueueStore) => q.visible.map((m) => m.id);

describe('focus rules', () => {
  it('step clamps and starts at an end', () => {
    expect(step([1, 2, 3], 1, 1)).toBe(2);
    expect(step([1, 2, 3], 3, 1)).toBe(3);
    expect(step([1, 2, 3], 1, -1)).toBe(1);
    expect(step([1, 2, 3], null, 1)).toBe(1);
    expect(step([1, 2, 3], null, -1)).toBe(3);
    expect(step([], null, 1)).toBe(null);
  });
  it('afterRemoval picks the next, else the previous', () => {
    expect(afterRemoval([1, 2, 3], 2, 2)).toBe(3);
    expect(afterRemoval([1, 2, 3], 3, 3)).toBe(2);
    expect(afterRemoval([1], 1, 1)).toBe(null);
    expect(afterRemoval([1, 2, 3], 1, 3)).toBe(3); // focus elsewhere stays
  });
  it('keep holds the same id, else the next survivor, else the same position', () => {
    expect(keep([1, 2, 3], [3, 1, 2], 2)).toBe(2);
    expect(keep([1, 2, 3, 4], [1, 4], 2)).toBe(4);
    expect(keep([1, 2, 3], [1, 2, 9], 3)).toBe(9);
    expect(keep([1, 2, 3], [1, 2], 3)).toBe(2);
    expect(keep([1, 2], [], 1)).toBe(null);
    expect(keep([], [5, 6], null)).toBe(5);
  });
});

describe('QueueStore', () => {
  const moves = () => [mv(1, 'sales'), mv(2, 'cs'), mv(3, 'marketing'), mv(4, 'sales'), mv(5, 'sales')];

  it('loads in server (APS) order and focuses the first move', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0 });
    await q.load();
    expect(ids(q)).toEqual([1, 2, 3, 4, 5]);
    expect(q.focusId).toBe(1);
    expect(q.workspace?.demo).toBe(true);
    expect(q.loaded).toBe(true);
    expect(q.loading).toBe(false);
  });

  it('moves focus with j/k and clamps at the ends', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0 });
    await q.load();
    q.move(1);
    q.move(1);
    expect(q.focusId).toBe(3);
    q.move(-1);
    expect(q.focusId).toBe(2);
    q.move(-5);
    expect(q.focusId).toBe(1);
    q.move(99);
    expect(q.focusId).toBe(5);
  });

  it('keeps focus by move id across a live refresh', async () => {
    const { api, set } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0 });
    await q.load();
    q.focus(3);
    // Another process re-ranks and adds a move above it.
    set([mv(9, 'sales', 99), mv(3, 'marketing'), mv(1), mv(2, 'cs'), mv(4), mv(5)]);
    await q.load();
    expect(ids(q)).toEqual([9, 3, 1, 2, 4, 5]);
    expect(q.focusId).toBe(3);
    // The focused move goes away elsewhere (CLI skip): focus goes to the next.
    set([mv(9, 'sales', 99), mv(1), mv(2, 'cs'), mv(4), mv(5)]);
    await q.load();
    expect(q.focusId).toBe(1);
  });

  it('skip removes the row at once, focuses the next, and calls the server', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    q.focus(2);
    const p = q.skip('key');
    // Synchronously, before the server answers:
    expect(ids(q)).toEqual([1, 3, 4, 5]);
    expect(q.focusId).toBe(3);
    expect(q.counts.cs).toBe(0);
    expect(q.counts.all).toBe(4);
    expect(await p).toBe(true);
    expect(api.Skip).toHaveBeenCalledWith(2, '', 'key');
    await q.load();
    expect(ids(q)).toEqual([1, 3, 4, 5]);
    expect(q.focusId).toBe(3);
    expect(q.counts.all).toBe(4);
  });

  it('not a duplicate skips a merge move with the reason that remembers the pair, and only a merge move', async () => {
    const merge = { ...mv(2, 'marketing'), kind: 'merge_contacts', title: 'Merge Bob Miller into Robert Miller' };
    const { api } = fakeApi([mv(1), merge, mv(3)]);
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    q.focus(1);
    expect(q.canSayNotDuplicate()).toBe(false);
    expect(await q.notDuplicate('key')).toBe(false);
    expect(api.Skip).not.toHaveBeenCalled();
    q.focus(2);
    expect(q.canSayNotDuplicate()).toBe(true);
    expect(await q.notDuplicate('key')).toBe(true);
    expect(api.Skip).toHaveBeenCalledWith(2, 'not a duplicate', 'key');
    expect(ids(q)).toEqual([1, 3]);
  });

  it('skip of the last row focuses the one before it', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    q.focus(5);
    await q.skip('key');
    expect(q.focusId).toBe(4);
  });

  it('a stale refresh does not bring a skipped row back', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    // A refresh that the server answered before the skip landed:
    q.apply(moves(), { sales: 3, cs: 1, marketing: 1 });
    const p = q.skip('key');
    q.apply(moves(), { sales: 3, cs: 1, marketing: 1 });
    expect(ids(q)).toEqual([2, 3, 4, 5]);
    expect(q.counts.sales).toBe(2);
    await p;
  });

  it('a failed skip puts the row back, focused, with the error', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    api.fail = true;
    expect(await q.skip('key')).toBe(false);
    expect(ids(q)).toEqual([1, 2, 3, 4, 5]);
    expect(q.focusId).toBe(1);
    expect(q.notices.at(-1)).toMatchObject({ kind: 'error', text: 'move changed' });
  });

  it('undo brings the move back and focuses it', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    q.focus(3);
    await q.skip('key');
    expect(q.focusId).toBe(4);
    await q.undo('key');
    expect(ids(q)).toEqual([1, 2, 3, 4, 5]);
    expect(q.focusId).toBe(3);
    expect(api.Undo).toHaveBeenCalledWith('key');
    // Nothing left to undo is a notice, not an error.
    await q.undo('key');
    expect(q.notices.at(-1)?.text).toBe('Nothing to undo');
  });

  it('execute removes the row and focuses the next', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    expect(await q.execute('key')).toBe(true);
    // e from the list previews first and executes that preview's hash.
    expect(api.PreviewExecution).toHaveBeenCalledWith(1);
    expect(api.ExecuteMove).toHaveBeenCalledWith(1, { preview_hash: 'p1-v0', via: 'key', allow_template: false });
    expect(q.focusId).toBe(2);
    expect(q.windows).toEqual([]);
  });

  it('execute from the list never sends unchecked; a move no account can send says why', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    api.needsAccount = 'Sending email needs a connected Gmail account';
    expect(await q.execute('key')).toBe(false);
    expect(api.ExecuteMove).not.toHaveBeenCalled();
    expect(q.notices.at(-1)?.text).toBe('Sending email needs a connected Gmail account');
    expect(ids(q)).toContain(1);
    api.needsAccount = undefined;
    expect(await q.execute('key')).toBe(true);
    for (const [, req] of vi.mocked(api.ExecuteMove).mock.calls) expect(req.preview_hash).not.toBe('');
  });

  it('a send waits in its undo window; z takes it back and focuses it', async () => {
    const { api } = fakeApi(moves());
    api.window = 10;
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    expect(await q.execute('key', undefined, 'h1')).toBe(true);
    expect(api.ExecuteMove).toHaveBeenCalledWith(1, { preview_hash: 'h1', via: 'key', allow_template: false });
    expect(q.windows.map((w) => w.moveId)).toEqual([1]);
    expect(q.windows[0].deadline - Date.now()).toBeGreaterThan(8000);
    expect(ids(q)).not.toContain(1);
    expect(await q.undo('key')).toBe(true);
    expect(api.CancelExecution).toHaveBeenCalledWith(1, 'key');
    expect(api.Undo).not.toHaveBeenCalled();
    expect(q.windows).toEqual([]);
    expect(ids(q)[0]).toBe(1);
    expect(q.focusId).toBe(1);
    expect(q.notices.at(-1)?.text).toMatch(/nothing was sent/);
  });

  it('the window closes when the send leaves, and says so', async () => {
    const { api } = fakeApi(moves());
    api.window = 10;
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    await q.execute('key');
    q.onFinished({ execution_id: 101, move_id: 1, state: 'committed', result: 'sent' });
    expect(q.windows).toEqual([]);
    expect(q.notices.at(-1)?.text).toBe('Sent: Move 1');
    // Too late to cancel now: z falls back to the skip/snooze undo.
    await q.undo('key');
    expect(api.CancelExecution).not.toHaveBeenCalled();
    expect(api.Undo).toHaveBeenCalled();
  });

  it('z after an action carried out rolls it back (a reply on X is deleted)', async () => {
    const { api } = fakeApi(moves());
    api.window = 10;
    api.Rollback = vi.fn(async (id: number) => ({ execution_id: 100 + id, move_id: id, idempotency_key: '', state: 'rolled_back', attempts: 1, created_at: '' }));
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    await q.execute('key');
    q.onFinished({ execution_id: 101, move_id: 1, state: 'committed', result: 'replied' });
    expect(await q.undo('key')).toBe(true);
    expect(api.Rollback).toHaveBeenCalledWith(1, 'key');
    expect(api.Undo).not.toHaveBeenCalled();
    expect(q.notices.at(-1)?.text).toBe('Taken back: Move 1');
    // Once only: the next z is the skip/snooze undo again.
    await q.undo('key');
    expect(api.Rollback).toHaveBeenCalledTimes(1);
    expect(api.Undo).toHaveBeenCalledTimes(1);
  });

  it('z after an action with no compensating action falls back to the last skip', async () => {
    const { api } = fakeApi(moves());
    api.Rollback = vi.fn(async () => {
      throw { code: 'conflict', message: 'an email cannot be unsent' };
    });
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    await q.skip('key', 2);
    await q.execute('key', 1); // committed at once: no undo window
    expect(await q.undo('key')).toBe(true);
    expect(api.Rollback).toHaveBeenCalledWith(1, 'key');
    expect(api.Undo).toHaveBeenCalled();
    expect(ids(q)).toContain(2);
  });

  it('a skip after the action is what z brings back', async () => {
    const { api } = fakeApi(moves());
    api.Rollback = vi.fn();
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    await q.execute('key', 1);
    await q.skip('key', 2);
    await q.undo('key');
    expect(api.Rollback).not.toHaveBeenCalled();
    expect(api.Undo).toHaveBeenCalled();
  });

  it('a window opened elsewhere (another window, the CLI) shows here too', async () => {
    const { api } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    q.onUndoWindow({ execution_id: 7, move_id: 3, deadline: new Date(Date.now() + 5000).toISOString(), seconds: 10, summary: 'Reply to Maya' });
    expect(q.windows).toMatchObject([{ moveId: 3, executionId: 7, seconds: 10, title: 'Move 3' }]);
  });

  it('a draft with template text is refused naming the line, and sent only when kept on purpose', async () => {
    const list = moves();
    list[0] = { ...list[0], template_holes: ["line 5: an empty bullet '- '"] };
    const { api } = fakeApi(list);
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    expect(await q.execute('key')).toBe(false);
    expect(ids(q)[0]).toBe(1);
    expect(q.notices.at(-1)).toMatchObject({ kind: 'error', text: "The draft still holds template text (line 5: an empty bullet '- ')" });
    expect(await q.execute('click', 1, 'h1', true)).toBe(true);
    expect(api.ExecuteMove).toHaveBeenCalledWith(1, { preview_hash: 'h1', via: 'click', allow_template: true });
    expect(ids(q)).not.toContain(1);
  });

  it('a move nothing can carry out (an X reply) says why and is not tried', async () => {
    const list = moves();
    list[0] = { ...list[0], kind: 'reply_social', not_available: 'Replying on X is not available yet: CaseyOS has no X connector.' };
    const { api } = fakeApi(list);
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    expect(await q.execute('key')).toBe(false);
    expect(api.ExecuteMove).not.toHaveBeenCalled();
    expect(ids(q)[0]).toBe(1);
    expect(q.notices.at(-1)).toMatchObject({ kind: 'error', text: 'Replying on X is not available yet: CaseyOS has no X connector.' });
  });

  it('a guardrail refusal puts the row back and says which and why', async () => {
    const { api } = fakeApi(moves());
    api.refuse = 'daily cap: 50 send_email already today';
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    expect(await q.execute('key')).toBe(false);
    expect(ids(q)[0]).toBe(1);
    expect(q.focusId).toBe(1);
    expect(q.notices.at(-1)).toMatchObject({ kind: 'error', text: 'daily cap: 50 send_email already today' });
  });

  it('the kill switch takes back waiting sends and shows its state', async () => {
    const { api } = fakeApi(moves());
    api.window = 10;
    const q = new QueueStore(api, { noticeMs: 0, coalesceMs: 0 });
    await q.load();
    await q.loadKillSwitch();
    expect(q.killSwitch?.on).toBe(false);
    await q.execute('key');
    expect(await q.setKillSwitch(true, 'click')).toBe(true);
    expect(q.killSwitch?.on).toBe(true);
    expect(q.windows).toEqual([]);
    expect(q.notices.at(-1)?.text).toMatch(/1 waiting send taken back/);
    q.onKillSwitch({ on: false, cancelled_move_ids: [] });
    expect(q.killSwitch?.on).toBe(false);
  });

  it('tabs filter by domain on the server, with counts for every tab', async () => {
    const { api, today } = fakeApi(moves());
    const q = new QueueStore(api, { noticeMs: 0 });
    await q.load();
    expect(q.counts).toEqual({ all: 5, sales: 3, marketing: 1, cs: 1 });
    q.setTab('sales');
    // At once, from what is loaded:
    expect(ids(q)).toEqual([1, 4, 5]);
    await vi.waitFor(() => expect(today).toHaveBeenLastCalledWith('sales', 0));
    await q.load();
    expect(ids(q)).toEqual([1, 4, 5]);
    expect(q.total).toBe(3);
    expect(q.counts.all).toBe(5);
    q.setTab('all');
    await q.load();
    expect(today).toHaveBeenLastCalledWith('', 0);
    expect(ids(q)).toHaveLength(5);
  });

  it('search filters the visible list by title or reason and keeps focus valid', async () => {
    const ms = moves();
    ms[3] = { ...ms[3], title: 'Reply to Maya Chen' };
    ms[4] = { ...ms[4], reasons: ['Maya replied 2 hours ago'] };
    const { api } = fakeApi(ms);
    const q = new QueueStore(api, { noticeMs: 0 });
    await q.load();
    q.setQuery('maya');
    expect(ids(q)).toEqual([4, 5]);
    expect(q.focusId).toBe(4);
    q.setQuery('');
    expect(ids(q)).toHaveLength(5);
    expect(q.focusId).toBe(4);
  });

  it('tabCounts subtracts optimistic removals', () => {
    expect(tabCounts({ sales: 2, cs: 1 }, ['sales'])).toEqual({ all: 2, sales: 1, marketing: 0, cs: 1 });
  });

  it('a newer load wins over an older one that answers late', async () => {
    let resolveOld: (v: TodayDTO) => void = () => {};
    const { api } = fakeApi(moves());
    const real = api.Today;
    const q = new QueueStore({ ...api, Today: vi.fn(() => new Promise<TodayDTO>((r) => (resolveOld = r))) }, { noticeMs: 0 });
    const old = q.load();
    (q as unknown as { api: QueueApi }).api = { ...api, Today: real };
    await q.load();
    resolveOld({ workspace: { demo: false, label: '', path: '' }, pending: 0, by_domain: {}, moves: [] });
    await old;
    expect(ids(q)).toHaveLength(5);
  });

  it('an error before the first load is kept for the error state', async () => {
    const q = new QueueStore({ ...fakeApi([]).api, Today: vi.fn(async () => { throw { code: 'unavailable', message: 'CaseyOS is not reachable' }; }) }, { noticeMs: 0 });
    await q.load();
    expect(q.error).toEqual({ code: 'unavailable', message: 'CaseyOS is not reachable' });
    expect(q.loaded).toBe(false);
  });
});
