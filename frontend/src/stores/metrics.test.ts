import { describe, expect, it, vi } from 'vitest';
import type { MetricsRowDTO, MetricsWeekDTO } from '../api';
import { MetricsStore, percent, rows, series, totals, weekTime } from './metrics.svelte';

const row = (o: Partial<MetricsRowDTO>): MetricsRowDTO => ({
  kind: '', executed: 0, replied: 0, positive_replies: 0, meetings_booked: 0, deals_advanced: 0, deals_won: 0, auto_approved: 0,
  minutes_saved: 0, follow_ups_sent: 0, follow_ups_answered: 0, reply_base: 0, reply_rate: null, positive_reply_rate: null, auto_approved_share: null, ...o,
});

const weeks: MetricsWeekDTO[] = [
  { start: '2026-11-16', end: '2026-11-23', kinds: [], total: row({}) },
  {
    start: '2026-11-23', end: '2026-11-30',
    kinds: [
      row({ kind: 'send_email', executed: 3, replied: 1, positive_replies: 1, reply_base: 3, reply_rate: 1 / 3, positive_reply_rate: 1 / 3, minutes_saved: 45, auto_approved: 1, auto_approved_share: 1 / 3 }),
      row({ kind: 'create_task', executed: 1, minutes_saved: 30, deals_advanced: 1, auto_approved_share: 0 }),
    ],
    total: row({ executed: 4, replied: 1, positive_replies: 1, reply_base: 3, reply_rate: 1 / 3, positive_reply_rate: 1 / 3, minutes_saved: 75, deals_advanced: 1, auto_approved: 1, auto_approved_share: 0.25 }),
  },
  {
    start: '2026-11-30', end: '2026-12-07',
    kinds: [row({ kind: 'send_email', executed: 2, replied: 2, positive_replies: 1, reply_base: 2, reply_rate: 1, positive_reply_rate: 0.5, minutes_saved: 30, auto_approved_share: 0 })],
    total: row({ executed: 2, replied: 2, positive_replies: 1, reply_base: 2, reply_rate: 1, positive_reply_rate: 0.5, minutes_saved: 30, auto_approved_share: 0, follow_ups_sent: 1, follow_ups_answered: 1 }),
  },
];

describe('metrics', () => {
  it('reads a week as its Monday in unix seconds', () => {
    expect(weekTime('2026-11-23')).toBe(Date.UTC(2026, 10, 23) / 1000);
  });

  it('draws one point per week, oldest first, with no point for a week without sends', () => {
    const s = series(weeks);
    expect(s.x).toEqual([weekTime('2026-11-16'), weekTime('2026-11-23'), weekTime('2026-11-30')]);
    expect(s.executed).toEqual([0, 4, 2]);
    expect(s.replied).toEqual([0, 1, 2]);
    expect(s.positiveRate).toEqual([null, 33.3, 50]);
    expect(s.minutesSaved).toEqual([0, 75, 30]);
  });

  it('sums the weeks and recomputes the rates over the summed denominators', () => {
    const t = totals(weeks);
    expect(t).toMatchObject({ executed: 6, replied: 3, positive_replies: 2, reply_base: 5, minutes_saved: 105, auto_approved: 1, deals_advanced: 1, follow_ups_sent: 1, follow_ups_answered: 1 });
    expect(t.reply_rate).toBeCloseTo(3 / 5);
    expect(t.positive_reply_rate).toBeCloseTo(2 / 5);
    expect(t.auto_approved_share).toBeCloseTo(1 / 6);
    expect(totals([weeks[0]]).reply_rate).toBeNull();
  });

  it('lists the kinds, then the week total as "all"', () => {
    expect(rows(weeks[1]).map((r) => r.kind)).toEqual(['send_email', 'create_task', 'all']);
    expect(percent(null)).toBe('–');
    expect(percent(1 / 3)).toBe('33%');
  });

  it('loads the weeks, newest first for the table, and keeps an error', async () => {
    const api = { Metrics: vi.fn(async () => ({ workspace: { demo: true, label: 'Demo', path: '' }, zone: 'UTC', weeks })) };
    const m = new MetricsStore(api);
    await m.load();
    expect(api.Metrics).toHaveBeenCalledWith(8);
    expect(m.newestFirst.map((w) => w.start)).toEqual(['2026-11-30', '2026-11-23', '2026-11-16']);
    expect(m.series.executed).toEqual([0, 4, 2]);
    api.Metrics.mockRejectedValueOnce({ code: 'unavailable', message: 'CaseyOS is not reachable' });
    await m.load();
    expect(m.error?.code).toBe('unavailable');
    expect(m.data?.weeks).toHaveLength(3);
  });
});
