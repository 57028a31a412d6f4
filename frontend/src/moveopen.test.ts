// move:open from the desktop shell: the listener opens that move's preview
// and never carries anything out.
import { describe, expect, it, vi } from 'vitest';
import type { MoveDTO, TodayDTO } from './api';
import { listenMoveOpen, openMove } from './moveopen';
import { QueueStore, type QueueApi } from './stores/queue.svelte';
import { UiStore } from './stores/ui.svelte';

function mv(id: number): MoveDTO {
  const c = { value: 0.5, weight: 0.25, contribution: 20, reason: '' };
  return {
    id, kind: 'send_email', domain: 'sales', title: `Move ${id}`, status: 'pending', aps: 100 - id, top_reason: '', reasons: [],
    score: { aps: 100 - id, revenue: c, urgency: c, effort: c, strategic: c },
    subject: `thread:${id}`, source: 'gmail', signal_ids: [], draft: {}, created_at: '', updated_at: '',
  };
}

/** A loaded queue whose every mutating call fails the test if it is made. */
async function setup() {
  const moves = [mv(1), mv(2), mv(3)];
  const never = (name: string) => vi.fn(async () => { throw new Error(`${name} must not be called by move:open`); });
  const api = {
    Today: vi.fn(async (): Promise<TodayDTO> => ({ workspace: { demo: true, label: 'Demo', path: '' }, pending: moves.length, by_domain: { sales: 3 }, moves })),
    Stats: vi.fn(async () => ({ pending: 3, by_domain: {}, done_today: 0, skipped_today: 0, time_saved_minutes_today: 0 })),
    Skip: never('Skip'), Snooze: never('Snooze'), Undo: never('Undo'), ExecuteMove: never('ExecuteMove'),
    CancelExecution: never('CancelExecution'), KillSwitch: never('KillSwitch'),
  } as unknown as QueueApi;
  const queue = new QueueStore(api);
  await queue.load();
  const ui = new UiStore();
  return { api, queue, ui };
}

/** A fake transport's event side: emit calls what listenMoveOpen registered. */
function events() {
  const subs = new Map<string, ((d: unknown) => void)[]>();
  return {
    on: (name: string, cb: (d: unknown) => void) => {
      subs.set(name, [...(subs.get(name) ?? []), cb]);
      return () => subs.set(name, (subs.get(name) ?? []).filter((f) => f !== cb));
    },
    emit: (name: string, data: unknown) => (subs.get(name) ?? []).forEach((f) => f(data)),
    count: (name: string) => subs.get(name)?.length ?? 0,
  };
}

describe('move:open', () => {
  it('opens the move’s preview from any view, closing overlays, and executes nothing', async () => {
    const { api, queue, ui } = await setup();
    ui.go('settings');
    ui.overlay = 'palette';
    const ev = events();
    const off = listenMoveOpen(ev as never, { queue, ui });
    ev.emit('move:open', { id: 2 });
    expect(ui.view).toBe('today');
    expect(ui.overlay).toBe('none');
    expect(ui.detailOpen).toBe(true);
    expect(ui.detailId).toBe(2);
    expect(queue.focusId).toBe(2);
    for (const m of ['Skip', 'Snooze', 'Undo', 'ExecuteMove', 'CancelExecution', 'KillSwitch'] as const) {
      expect((api as unknown as Record<string, ReturnType<typeof vi.fn>>)[m]).not.toHaveBeenCalled();
    }
    off();
    expect(ev.count('move:open')).toBe(0);
  });

  it('opens a move that is not in the list (another tab, below the limit) by id', async () => {
    const { queue, ui } = await setup();
    expect(openMove({ queue, ui }, { id: 42 })).toBe(true);
    expect(ui.detailId).toBe(42);
    expect(queue.focusId).toBe(1); // focus stays where it was
  });

  it('id 0 and junk only show the window: the page is left as it was', async () => {
    const { queue, ui } = await setup();
    ui.go('signals');
    for (const junk of [{ id: 0 }, {}, null, undefined, { id: -3 }, { id: 1.5 }, { id: '2' }, 'x']) {
      expect(openMove({ queue, ui }, junk)).toBe(false);
      expect(ui.view).toBe('signals');
      expect(ui.detailOpen).toBe(false);
    }
  });
});
