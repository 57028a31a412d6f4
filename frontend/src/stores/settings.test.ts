import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../api';
import { SettingsStore, clockOf, hoursOK, minutesOf, parseCompetitors, toWire, weightSum, weightsOK } from './settings.svelte';

const base = (): SettingsDTO => ({
  weights: { revenue: 0.4, urgency: 0.25, effort: 0.15, strategic: 0.2 },
  icp: { base: 0.2, rules: [{ field: 'company.industry', op: 'in', values: ['saas'], min: 0, max: 0, weight: 0.3, label: '%s company' }] },
  undo_window_seconds: 10,
  daily_caps: { send_email: 50 },
  today_limit: 10,
  stalled_deal_days: 14,
  owner_name: 'Casey',
  owner_email: 'casey@example.com',
  competitors: [],
  facts: [],
});

describe('settings', () => {
  it('checks that the weights add up to 1', () => {
    expect(weightSum(base().weights)).toBeCloseTo(1);
    expect(weightsOK(base().weights)).toBe(true);
    expect(weightsOK({ ...base().weights, revenue: 0.5 })).toBe(false);
  });

  it('refuses to save bad weights, saves good ones as numbers', async () => {
    const api = { Settings: vi.fn(async () => base()), SaveSettings: vi.fn(async (s: SettingsDTO) => s) };
    const st = new SettingsStore(api);
    await st.load();
    expect(st.dirty).toBe(false);
    st.draft!.weights.revenue = 0.5;
    expect(st.valid).toBe(false);
    expect(await st.save('ok')).toBe(false);
    expect(api.SaveSettings).not.toHaveBeenCalled();
    st.draft!.weights.revenue = 0.3;
    st.draft!.weights.urgency = '0.35' as unknown as number; // what an input gives
    expect(st.dirty).toBe(true);
    expect(await st.save('ok')).toBe(true);
    expect(api.SaveSettings.mock.calls[0][0].weights).toEqual({ revenue: 0.3, urgency: 0.35, effort: 0.15, strategic: 0.2 });
    expect(st.message).toBe('ok');
  });

  it('toWire trims rule values and drops empty cap names', () => {
    const s = base();
    s.icp.rules[0].values = [' saas ', '', 'fintech'];
    s.daily_caps = { ' send_email ': '5' as unknown as number, '': 3 };
    const w = toWire(s);
    expect(w.icp.rules[0].values).toEqual(['saas', 'fintech']);
    expect(w.daily_caps).toEqual({ send_email: 5 });
  });
});

describe('settings round trip', () => {
  it('is not dirty after a load or a save when the server sends nulls', async () => {
    const raw = base();
    raw.icp.rules.push({ field: 'company.employees', op: 'between', values: null as unknown as string[], min: 50, max: 1000, weight: 0.2, label: '%s employees' });
    const api = { Settings: vi.fn(async () => raw), SaveSettings: vi.fn(async () => raw) };
    const st = new SettingsStore(api);
    await st.load();
    expect(st.dirty).toBe(false);
    st.draft!.undo_window_seconds = 12;
    expect(st.dirty).toBe(true);
    await st.save('ok');
    expect(st.dirty).toBe(false);
  });
});

describe('competitors and working hours', () => {
  it('parses a typed competitor list: commas or lines, trimmed, each name once in any case', () => {
    expect(parseCompetitors(' Stackwise, build  buddy\nNx Cloud,, stackwise ')).toEqual(['Stackwise', 'build buddy', 'Nx Cloud']);
    expect(parseCompetitors('')).toEqual([]);
  });

  it('reads and writes times of day as minutes', () => {
    expect(clockOf(540)).toBe('09:00');
    expect(clockOf(1035)).toBe('17:15');
    expect(minutesOf('08:30')).toBe(510);
    expect(minutesOf('9:05')).toBe(545);
    expect(minutesOf('24:00')).toBe(1440);
    for (const bad of ['', '25:00', '12:60', 'noon', '24:15']) expect(minutesOf(bad)).toBeNull();
  });

  it('checks working hours as the server does', () => {
    expect(hoursOK(undefined)).toBe(true);
    expect(hoursOK({ start_minutes: 540, end_minutes: 1020 })).toBe(true);
    expect(hoursOK({ start_minutes: 1020, end_minutes: 540 })).toBe(false);
    expect(hoursOK({ start_minutes: 545, end_minutes: 1020 })).toBe(false);
    expect(hoursOK({ start_minutes: 540, end_minutes: 555 })).toBe(false);
    expect(hoursOK({ start_minutes: 540, end_minutes: 1500 })).toBe(false);
  });

  it('fills the defaults a server without them leaves out, and saves what was typed', async () => {
    const raw = base();
    delete (raw as Partial<SettingsDTO>).competitors;
    const api = { Settings: vi.fn(async () => raw), SaveSettings: vi.fn(async (s: SettingsDTO) => s) };
    const st = new SettingsStore(api);
    await st.load();
    expect(st.draft!.competitors).toEqual([]);
    expect(st.draft!.working_hours).toEqual({ start_minutes: 540, end_minutes: 1020 });
    expect(st.dirty).toBe(false);
    st.draft!.competitors = ['Stackwise', ' Build Buddy '];
    st.draft!.working_hours = { start_minutes: '510' as unknown as number, end_minutes: 1080 };
    expect(await st.save('ok')).toBe(true);
    const sent = api.SaveSettings.mock.calls[0][0];
    expect(sent.competitors).toEqual(['Stackwise', 'Build Buddy']);
    expect(sent.working_hours).toEqual({ start_minutes: 510, end_minutes: 1080 });
  });

  it('refuses to save working hours that end before they start', async () => {
    const api = { Settings: vi.fn(async () => base()), SaveSettings: vi.fn(async (s: SettingsDTO) => s) };
    const st = new SettingsStore(api);
    await st.load();
    st.draft!.working_hours = { start_minutes: 1020, end_minutes: 540 };
    expect(st.valid).toBe(false);
    expect(await st.save('ok')).toBe(false);
    expect(api.SaveSettings).not.toHaveBeenCalled();
    expect(st.error?.code).toBe('invalid');
  });
});
