import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../api';
import { nextTier, replyFactsProblem, replyFactsToWire, splitKeywords } from './replyfacts';
import { SettingsStore } from './settings.svelte';

const base = (): SettingsDTO => ({
  weights: { revenue: 0.4, urgency: 0.25, effort: 0.15, strategic: 0.2 },
  icp: { base: 0.2, rules: [] },
  undo_window_seconds: 10,
  daily_caps: { send_email: 50 },
  today_limit: 10,
  stalled_deal_days: 14,
  owner_name: 'Casey',
  owner_email: 'casey@example.com',
  competitors: [],
  facts: [],
});

const tiers = () => [
  { name: 'Starter', min_seats: 1, max_seats: 10, seat_price: 29 },
  { name: 'Team', min_seats: 11, max_seats: 0, seat_price: 24 },
];

describe('reply facts', () => {
  it('starts a new tier where the last one ends, closing an open one', () => {
    const list = tiers();
    expect(nextTier([])).toEqual({ name: '', min_seats: 1, max_seats: 0, seat_price: 0 });
    const t = nextTier(list);
    expect(list[1].max_seats).toBe(21);
    expect(t.min_seats).toBe(22);
    expect(nextTier([{ name: 'A', min_seats: 1, max_seats: 50, seat_price: 1 }]).min_seats).toBe(51);
  });

  it('names the first problem the server would refuse', () => {
    expect(replyFactsProblem({ currency: 'USD', tiers: tiers() }, [{ topic: 'security', keywords: ['sso'], text: 'SSO on every plan.' }])).toBe('');
    expect(replyFactsProblem({ currency: '', tiers: [] }, [])).toBe('');
    expect(replyFactsProblem(undefined, undefined)).toBe('');
    expect(replyFactsProblem({ currency: 'US$', tiers: tiers() }, [])).toMatch(/three-letter currency/);
    const neg = tiers();
    neg[1].seat_price = -5;
    expect(replyFactsProblem({ currency: 'USD', tiers: neg }, [])).toBe('Tier “Team”: the seat price must be zero or more.');
    const blank = tiers();
    blank[0].seat_price = '' as unknown as number; // an emptied input
    expect(replyFactsProblem({ currency: 'USD', tiers: blank }, [])).toMatch(/seat price/);
    const overlap = tiers();
    overlap[1].min_seats = 10;
    expect(replyFactsProblem({ currency: 'USD', tiers: overlap }, [])).toMatch(/Tier “Team” overlaps/);
    expect(replyFactsProblem({ currency: 'USD', tiers: [{ name: ' ', min_seats: 1, max_seats: 0, seat_price: 1 }] }, [])).toBe('Tier 1 needs a name.');
    expect(replyFactsProblem(undefined, [{ topic: 'compliance', keywords: [], text: '  ' }])).toBe('Fact 1 (compliance) has no text: write what a reply should say.');
    expect(replyFactsProblem(undefined, [{ topic: 'security', keywords: [], text: 'See [link]' }])).toMatch(/template text/);
    expect(replyFactsProblem(undefined, [{ topic: 'security', keywords: [], text: 'See [our page](https://x.io) [1]' }])).toBe('');
  });

  it('sends numbers, trimmed text and no currency without tiers', () => {
    const s = base();
    s.pricing = { currency: ' usd ', tiers: [{ name: ' Team ', min_seats: '1' as unknown as number, max_seats: '' as unknown as number, seat_price: '24.5' as unknown as number }] };
    s.facts = [{ topic: 'security', keywords: [' sso ', ''], text: ' SSO. ' }];
    expect(replyFactsToWire(s)).toEqual({
      pricing: { currency: 'USD', tiers: [{ name: 'Team', min_seats: 1, max_seats: 0, seat_price: 24.5 }] },
      facts: [{ topic: 'security', keywords: ['sso'], text: 'SSO.' }],
    });
    s.pricing = { currency: 'EUR', tiers: [] };
    expect(replyFactsToWire(s).pricing).toEqual({ currency: '', tiers: [] });
    expect(splitKeywords(' sso, saml ,, okta')).toEqual(['sso', 'saml', 'okta']);
  });

  it('saves them with the settings, and refuses a bad one before a round trip', async () => {
    const stored = base(); // a server from before: no pricing, facts null
    delete (stored as Partial<SettingsDTO>).pricing;
    stored.facts = null as unknown as [];
    const api = { Settings: vi.fn(async () => stored), SaveSettings: vi.fn(async (s: SettingsDTO) => s) };
    const st = new SettingsStore(api);
    await st.load();
    expect(st.dirty).toBe(false);
    expect(st.draft!.pricing).toEqual({ currency: '', tiers: [] });
    expect(st.draft!.facts).toEqual([]);
    st.draft!.facts.push({ topic: 'compliance', keywords: [], text: '' });
    expect(st.valid).toBe(false);
    expect(await st.save('ok')).toBe(false);
    expect(st.error?.message).toMatch(/Fact 1 \(compliance\) has no text/);
    expect(api.SaveSettings).not.toHaveBeenCalled();
    st.draft!.facts[0].text = 'We are SOC 2 Type II audited.';
    st.draft!.pricing!.tiers.push({ name: 'Team', min_seats: 1, max_seats: 0, seat_price: '24' as unknown as number });
    st.draft!.pricing!.currency = 'usd';
    expect(st.valid).toBe(true);
    expect(await st.save('ok')).toBe(true);
    const sent = api.SaveSettings.mock.calls[0][0];
    expect(sent.pricing).toEqual({ currency: 'USD', tiers: [{ name: 'Team', min_seats: 1, max_seats: 0, seat_price: 24 }] });
    expect(sent.facts).toEqual([{ topic: 'compliance', keywords: [], text: 'We are SOC 2 Type II audited.' }]);
    expect(st.dirty).toBe(false);
  });
});
