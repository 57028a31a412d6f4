import { describe, expect, it, vi } from 'vitest';
import type { Api, MoveDTO, TodayDTO } from './api';
import { actionBindings } from './bindings';
import type { AppContext } from './context';
import { Keymap, type KeyEventLike } from './keymap';
import { QueueStore } from './stores/queue.svelte';
import { SettingsStore } from './stores/settings.svelte';
import { SignalsStore } from './stores/signals.svelte';
import { AuditStore } from './stores/audit.svelte';
import { MetricsStore } from './stores/metrics.svelte';
import { SyncStore } from './stores/sync.svelte';
import { UiStore } from './stores/ui.svelte';
import { VoiceStore } from './stores/voice.svelte';
import { TranscriptionStore } from './stores/transcription.svelte';
import { OutcomesStore } from './stores/outcomes.svelte';

function mv(id: number, domain: string): MoveDTO {
  const c = { value: 0.5, weight: 0.25, contribution: 10, reason: '' };
  return {
    id, kind: 'note', domain, title: `Move ${id}`, status: 'pending', aps: 90 - id, top_reason: '', reasons: [],
    score: { aps: 90 - id, revenue: c, urgency: c, effort: c, strategic: c },
    subject: '', source: 'gmail', signal_ids: [], draft: {}, created_at: '', updated_at: '',
  };
}

function setup(platform = 'Linux') {
  let pending = [mv(1, 'sales'), mv(2, 'cs'), mv(3, 'sales'), { ...mv(4, 'sales'), kind: 'send_email', subject: 'follow_up:thr-1/2' }];
  const api = {
    Today: vi.fn(async (domain: string): Promise<TodayDTO> => ({
      workspace: { demo: true, label: '', path: '' }, pending: 0, by_domain: { sales: 2, cs: 1 },
      moves: pending.filter((m) => !domain || m.domain === domain),
    })),
    Stats: vi.fn(async () => ({ pending: 3, by_domain: {}, done_today: 0, skipped_today: 0, time_saved_minutes_today: 0 })),
    Skip: vi.fn(async (id: number) => ((pending = pending.filter((m) => m.id !== id)), mv(id, 'sales'))),
    Snooze: vi.fn(async (id: number) => ((pending = pending.filter((m) => m.id !== id)), mv(id, 'sales'))),
    Undo: vi.fn(async () => mv(1, 'sales')),
    StopFollowUps: vi.fn(async (id: number) => ({ id: 1, state: 'stopped', step: 2, steps: 3, subject: 'Pricing', to: 'maya@acme.io', thread_id: 'thr-1', started_at: '', stop_reason: 'stopped by hand', move_ids: [id], summary: '' })),
    ExecuteMove: vi.fn(async (id: number) => ({ execution_id: 1, move_id: id, idempotency_key: '', state: 'committed', attempts: 0, created_at: '' })),
    Outcomes: vi.fn(async () => []),
    OutcomeTypes: vi.fn(async () => [{ type: 'replied', label: 'Replied' }, { type: 'meeting_booked', label: 'Meeting booked' }]),
    RecordOutcome: vi.fn(async (moveId: number, type: string, note: string, corrects: number, via: string) => ({
      id: 9, move_id: moveId, type, label: type, note, actor: via, occurred_at: '', recorded_at: '', ...(corrects ? { corrects } : {}),
    })),
  } as unknown as Api;
  const storage = new Map<string, string>();
  const ui = new UiStore({ storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v), removeItem: (k) => void storage.delete(k) }, prefersDark: () => true });
  const keymap = new Keymap({ platform });
  const ctx: AppContext = { api, keymap, ui, queue: new QueueStore(api, { noticeMs: 0, coalesceMs: 0 }), signals: new SignalsStore(api), settings: new SettingsStore(api), sync: new SyncStore(api), audit: new AuditStore(api), metrics: new MetricsStore(api), voice: new VoiceStore(api), transcription: new TranscriptionStore(api), outcomes: new OutcomesStore(api) };
  const focusSearch = vi.fn();
  keymap.register(actionBindings(ctx, { focusSearch, blurField: () => false }));
  const press = (key: string, extra: Partial<KeyEventLike> = {}) => keymap.handle({ key, ...extra });
  return { ctx, api, press, focusSearch, storage };
}

describe('the app bindings', () => {
  it('o opens the outcome picker on a carried-out move in the detail; arrows choose, Enter records', async () => {
    const { ctx, api, press } = setup();
    await ctx.queue.load();
    press('o'); // no detail open: nothing
    expect(ctx.ui.overlay).toBe('none');
    ctx.ui.openDetail(42);
    press('o'); // a pending move's detail loads no outcomes: nothing
    expect(ctx.ui.overlay).toBe('none');
    await ctx.outcomes.load(42); // what OutcomeList does for a done move
    press('o');
    expect(ctx.ui.overlay).toBe('outcome');
    expect(ctx.outcomes.chosen?.type).toBe('replied');
    press('s'); // the list's keys are off under the picker
    expect(api.Skip).not.toHaveBeenCalled();
    press('ArrowDown', { target: { tagName: 'INPUT', type: 'text' } }); // also from the note field
    expect(ctx.outcomes.chosen?.type).toBe('meeting_booked');
    ctx.outcomes.note = 'booked by phone';
    press('Enter'); // in a field, Enter submits the picker's form, which runs the same action

    await vi.waitFor(() => expect(ctx.ui.overlay).toBe('none'));
    expect(api.RecordOutcome).toHaveBeenCalledWith(42, 'meeting_booked', 'booked by phone', 0, 'key');
    expect(ctx.outcomes.list.map((o) => o.type)).toEqual(['meeting_booked']);
    expect(ctx.keymap.bindings().find((b) => b.id === 'outcome.record')?.keys).toEqual(['o']);
  });

  it('drive the queue from the keyboard', async () => {
    const { ctx, api, press } = setup();
    await ctx.queue.load();
    expect(ctx.queue.focusId).toBe(1);
    press('j');
    expect(ctx.queue.focusId).toBe(2);
    press('s');
    expect(api.Skip).toHaveBeenCalledWith(2, '', 'key');
    expect(ctx.queue.focusId).toBe(3);
    press('k');
    press('h');
    expect(ctx.ui.overlay).toBe('snooze');
    press('j'); // the list keys are off under an overlay
    expect(ctx.queue.focusId).toBe(1);
    press('1'); // 1 = one hour inside the chooser, not the All tab
    expect(api.Snooze).toHaveBeenCalledWith(1, '1h', 'key');
    expect(ctx.ui.overlay).toBe('none');
    press('z');
    expect(api.Undo).toHaveBeenCalledWith('key');
    press(' ');
    expect(ctx.queue.expanded.has(ctx.queue.focusId!)).toBe(true);
    press('Enter');
    expect(ctx.ui.detailOpen).toBe(true);
    press('Escape');
    expect(ctx.ui.detailOpen).toBe(false);
  });

  it('stop a follow-up sequence with S, and only on a follow-up in the list', async () => {
    const { ctx, api, press } = setup();
    await ctx.queue.load();
    expect(ctx.queue.focusId).toBe(1);
    press('S', { shiftKey: true }); // a plain move: S does nothing, and is not s (skip)
    expect(api.StopFollowUps).not.toHaveBeenCalled();
    expect(api.Skip).not.toHaveBeenCalled();
    while (ctx.queue.focusId !== 4) press('j');
    press('S', { shiftKey: true });
    await Promise.resolve();
    expect(api.StopFollowUps).toHaveBeenCalledWith(4, 'key');
    expect(api.Skip).not.toHaveBeenCalled();
    expect(ctx.keymap.help().flatMap((g) => g.items).some((i) => i.label === 'Stop the follow-ups of this email')).toBe(true);
  });

  it('switch tabs with 1–4 and open search with /', async () => {
    const { ctx, press, focusSearch } = setup();
    await ctx.queue.load();
    press('2');
    expect(ctx.queue.tab).toBe('sales');
    press('4');
    expect(ctx.queue.tab).toBe('cs');
    press('1');
    expect(ctx.queue.tab).toBe('all');
    press('/');
    expect(ctx.ui.searchOpen).toBe(true);
    expect(focusSearch).toHaveBeenCalled();
  });

  it('open the palette with Ctrl+K here and ⌘K on a Mac, listing every action', () => {
    const linux = setup('Linux');
    linux.press('k', { ctrlKey: true });
    expect(linux.ctx.ui.overlay).toBe('palette');
    const ids = linux.ctx.ui.paletteActions.map((a) => a.id);
    for (const id of ['queue.undo', 'view.signals', 'view.settings', 'view.connections', 'app.theme', 'tab.sales']) expect(ids).toContain(id);
    linux.press('Escape');
    expect(linux.ctx.ui.overlay).toBe('none');

    const mac = setup('MacIntel');
    mac.press('k', { ctrlKey: true });
    expect(mac.ctx.ui.overlay).toBe('none');
    mac.press('k', { metaKey: true });
    expect(mac.ctx.ui.overlay).toBe('palette');
  });

  it('open Metrics with m, but not while an overlay is open', () => {
    const { ctx, press } = setup();
    ctx.ui.overlay = 'help';
    press('m');
    expect(ctx.ui.view).toBe('today');
    ctx.ui.overlay = 'none';
    press('m');
    expect(ctx.ui.view).toBe('metrics');
  });

  it('list every keyed action in the help, by group', () => {
    const { ctx } = setup();
    const help = ctx.keymap.help();
    expect(help.map((g) => g.group)).toEqual(['Moves', 'Snooze chooser', 'Outcome picker', 'Views', 'General']);
    const labels = help.flatMap((g) => g.items.map((i) => `${i.keys.join('/')} ${i.label}`));
    for (const l of ['J/↓ Next move', 'S Skip the move', 'E Execute the move', 'H Snooze the move…', 'Z Undo the last action, skip or snooze', '/ Filter the list', 'Ctrl+K Command palette', '? Keyboard shortcuts', 'M Go to Metrics: what your moves achieved', 'O Record or correct an outcome of a done move…']) {
      expect(labels).toContain(l);
    }
  });

  it('toggle and persist the theme', () => {
    const { ctx, storage } = setup();
    expect(ctx.ui.effectiveTheme).toBe('dark');
    ctx.keymap.run('app.theme');
    expect(ctx.ui.effectiveTheme).toBe('light');
    expect(storage.get('caseyos.theme')).toBe('light');
    ctx.keymap.run('app.systemTheme');
    expect(storage.has('caseyos.theme')).toBe(false);
    expect(ctx.ui.effectiveTheme).toBe('dark');
  });
});
