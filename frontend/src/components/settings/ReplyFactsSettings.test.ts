// ReplyFactsSettings rendered on its own (svelte/server), over a settings
// store already loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { SettingsStore } from '../../stores/settings.svelte';
import ReplyFactsSettings from './ReplyFactsSettings.svelte';

async function page(edit: (s: SettingsDTO) => void) {
  const dto: SettingsDTO = {
    weights: { revenue: 0.4, urgency: 0.25, effort: 0.15, strategic: 0.2 },
    icp: { base: 0.2, rules: [] },
    undo_window_seconds: 10,
    daily_caps: {},
    today_limit: 10,
    stalled_deal_days: 14,
    owner_name: '',
    owner_email: '',
    competitors: [],
    facts: [],
  };
  edit(dto);
  const settings = new SettingsStore({ Settings: vi.fn(async () => dto), SaveSettings: vi.fn() });
  await settings.load();
  return render(ReplyFactsSettings, { context: contextFor({ settings } as unknown as AppContext) }).body;
}

describe('ReplyFactsSettings', () => {
  it('says a new workspace has no prices and no facts', async () => {
    const body = await page(() => {});
    expect(body).toContain('data-testid="pricing-empty"');
    expect(body).toContain('data-testid="facts-empty"');
    expect(body).not.toContain('data-testid="price-tier"');
    expect(body).not.toContain('data-testid="reply-facts-problem"');
  });

  it('shows each tier and fact, and the first problem', async () => {
    const body = await page((s) => {
      s.pricing = {
        currency: 'USD',
        tiers: [
          { name: 'Starter', min_seats: 1, max_seats: 10, seat_price: 29 },
          { name: 'Team', min_seats: 11, max_seats: 0, seat_price: -1 },
        ],
      };
      s.facts = [{ topic: 'compliance', keywords: ['soc 2', 'audit'], text: 'We are SOC 2 Type II audited.' }];
    });
    expect(body.match(/data-testid="price-tier"/g)).toHaveLength(2);
    expect(body.match(/data-testid="fact"/g)).toHaveLength(1);
    expect(body).toContain('value="soc 2, audit"');
    expect(body).toContain('We are SOC 2 Type II audited.');
    expect(body).toContain('Tier “Team”: the seat price must be zero or more.');
  });
});
