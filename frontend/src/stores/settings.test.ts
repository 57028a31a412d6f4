import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../api';
import { SettingsStore, toWire, weightSum, weightsOK } from './settings.svelte';

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
