// XWatchSettings rendered on its own (svelte/server: the unit tests run
// without a DOM), over a settings store loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { SettingsStore } from '../../stores/settings.svelte';
import XWatchSettings from './XWatchSettings.svelte';

const base = (extra: Partial<SettingsDTO> = {}): SettingsDTO => ({
  weights: { revenue: 0.4, urgency: 0.25, effort: 0.15, strategic: 0.2 },
  icp: { base: 0.2, rules: [] },
  undo_window_seconds: 10,
  daily_caps: {},
  today_limit: 10,
  stalled_deal_days: 14,
  owner_name: 'Casey',
  owner_email: 'casey@example.com',
  competitors: [],
  facts: [],
  ...extra,
});

async function page(saved: SettingsDTO) {
  const api = { Settings: vi.fn(async () => saved), SaveSettings: vi.fn(async (s: SettingsDTO) => s) };
  const settings = new SettingsStore(api);
  await settings.load();
  const { body } = render(XWatchSettings, { context: contextFor({ settings } as unknown as AppContext) });
  return { body, settings, api };
}

const value = (html: string, testid: string) => html.match(new RegExp(`<input[^>]*data-testid="${testid}"[^>]*>`))?.[0].match(/\svalue="([^"]*)"/)?.[1];

describe('XWatchSettings', () => {
  it('shows the stored product and keywords', async () => {
    const { body } = await page(base({ product_name: 'Pebblecache', product_keywords: ['remote build cache', 'bazel cache'] }));
    expect(body).toContain('data-testid="x-watch-settings"');
    expect(value(body, 'product-name')).toBe('Pebblecache');
    expect(value(body, 'product-keywords')).toBe('remote build cache, bazel cache');
  });

  it('is empty in a workspace without them, and saves what was typed', async () => {
    const { body, settings, api } = await page(base());
    expect(value(body, 'product-name') ?? '').toBe('');
    expect(value(body, 'product-keywords') ?? '').toBe('');
    settings.draft!.product_keywords = ['remote build cache'];
    settings.draft!.product_name = 'Pebblecache';
    await settings.save('saved');
    const sent = api.SaveSettings.mock.calls[0][0];
    expect(sent.product_name).toBe('Pebblecache');
    expect(sent.product_keywords).toEqual(['remote build cache']);
  });
});
