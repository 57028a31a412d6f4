// LearningSettings rendered on its own (svelte/server), over a settings
// store loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { SettingsStore } from '../../stores/settings.svelte';
import LearningSettings from './LearningSettings.svelte';

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
  learning: { on: true, max_points: 10, half_life_days: 90, prior_strength: 10 },
  ...extra,
});

async function page(saved: SettingsDTO, reset?: () => Promise<SettingsDTO>) {
  const api = {
    Settings: vi.fn(async () => saved),
    SaveSettings: vi.fn(async (s: SettingsDTO) => s),
    ResetLearning: vi.fn(reset ?? (async () => saved)),
  };
  const settings = new SettingsStore(api);
  await settings.load();
  const html = () => render(LearningSettings, { context: contextFor({ settings } as unknown as AppContext) }).body;
  return { html, settings, api };
}

const input = (html: string, testid: string) => html.match(new RegExp(`<input[^>]*data-testid="${testid}"[^>]*>`))?.[0] ?? '';
const value = (html: string, testid: string) => input(html, testid).match(/\svalue="([^"]*)"/)?.[1];

describe('LearningSettings', () => {
  it('shows the switch, the bound and the reset button', async () => {
    const { html } = await page(base({ learning: { on: true, max_points: 6, half_life_days: 45, prior_strength: 20 } }));
    const body = html();
    expect(body).toContain('data-testid="learning-settings"');
    expect(input(body, 'learning-on')).toMatch(/\schecked/);
    expect(value(body, 'learning-max-points')).toBe('6');
    expect(value(body, 'learning-half-life')).toBe('45');
    expect(value(body, 'learning-prior')).toBe('20');
    expect(body).toContain('data-testid="learning-reset"');
  });

  it('saves learning switched off with the form, as numbers', async () => {
    const { html, settings, api } = await page(base());
    settings.draft!.learning!.on = false;
    (settings.draft!.learning as unknown as Record<string, unknown>).max_points = '4';
    expect(input(html(), 'learning-on')).not.toMatch(/\schecked/);
    expect(input(html(), 'learning-max-points')).toMatch(/\sdisabled/);
    await settings.save('saved');
    expect(api.SaveSettings.mock.calls[0][0].learning).toEqual({ on: false, max_points: 4, half_life_days: 90, prior_strength: 10 });
  });

  it('resets what was learned at once and keeps unsaved edits', async () => {
    const { settings, api } = await page(base());
    settings.draft!.owner_name = 'Casey M.';
    expect(await settings.resetLearning('reset done')).toBe(true);
    expect(api.ResetLearning).toHaveBeenCalledWith('click');
    expect(api.SaveSettings).not.toHaveBeenCalled();
    expect(settings.message).toBe('reset done');
    expect(settings.draft!.owner_name).toBe('Casey M.');
  });

  it('shows the error when the reset fails', async () => {
    const { settings } = await page(base(), async () => {
      throw { code: 'unavailable', message: 'The data file is busy' };
    });
    expect(await settings.resetLearning('reset done')).toBe(false);
    expect(settings.error?.message).toBe('The data file is busy');
  });

  it('is absent when the server sends no learning settings', async () => {
    const { html } = await page(base({ learning: undefined }));
    expect(html()).not.toContain('learning-settings');
  });
});
