// ConversationSettings rendered on its own (svelte/server: the unit tests
// run without a DOM), over a settings store loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { SettingsStore } from '../../stores/settings.svelte';
import ConversationSettings from './ConversationSettings.svelte';

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
  const { body } = render(ConversationSettings, { context: contextFor({ settings } as unknown as AppContext) });
  return { body, settings };
}

const value = (html: string, testid: string) => html.match(new RegExp(`<input[^>]*data-testid="${testid}"[^>]*>`))?.[0].match(/\svalue="([^"]*)"/)?.[1];

describe('ConversationSettings', () => {
  it('shows the stored competitors and working hours', async () => {
    const { body } = await page(base({ competitors: ['Stackwise', 'Build Buddy'], working_hours: { start_minutes: 510, end_minutes: 1080 } }));
    expect(value(body, 'competitors')).toBe('Stackwise, Build Buddy');
    expect(value(body, 'work-start')).toBe('08:30');
    expect(value(body, 'work-end')).toBe('18:00');
    expect(body).not.toContain('data-testid="hours-bad"');
  });

  it('shows 9:00–17:00 when the server has no hours, and says when typed hours are wrong', async () => {
    let { body, settings } = await page(base());
    expect(value(body, 'work-start')).toBe('09:00');
    expect(value(body, 'work-end')).toBe('17:00');
    settings.draft!.working_hours = { start_minutes: 1020, end_minutes: 540 };
    body = render(ConversationSettings, { context: contextFor({ settings } as unknown as AppContext) }).body;
    expect(body).toContain('data-testid="hours-bad"');
  });
});
