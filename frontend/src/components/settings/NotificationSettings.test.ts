// NotificationSettings rendered on its own (svelte/server), over a settings
// store loaded from a fake API: what it shows, and what the form saves.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { NotificationsDTO, SettingsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { SettingsStore } from '../../stores/settings.svelte';
import NotificationSettings from './NotificationSettings.svelte';

const defaults: NotificationsDTO = {
  hot_move: true,
  execution_failed: true,
  outbox_drained: true,
  kill_switch: true,
  quiet_on: false,
  quiet_start_minutes: 1320,
  quiet_end_minutes: 420,
};

const base = (notifications?: NotificationsDTO): SettingsDTO => ({
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
  ...(notifications ? { notifications } : {}),
});

async function page(saved: SettingsDTO) {
  const api = {
    Settings: vi.fn(async () => structuredClone(saved)),
    SaveSettings: vi.fn(async (s: SettingsDTO) => s),
    SendTestNotification: vi.fn(async () => 'Sent'),
  };
  const settings = new SettingsStore(api);
  await settings.load();
  const html = () => render(NotificationSettings, { context: contextFor({ settings, api } as unknown as AppContext) }).body;
  return { html, settings, api };
}

const input = (html: string, testid: string) => html.match(new RegExp(`<input[^>]*data-testid="${testid}"[^>]*>`))?.[0] ?? '';
const checked = (html: string, testid: string) => /\schecked(\s|=|>|\/)/.test(input(html, testid));
const value = (html: string, testid: string) => input(html, testid).match(/\svalue="([^"]*)"/)?.[1];

describe('NotificationSettings', () => {
  it('shows every kind on and the quiet hours off by default', async () => {
    const { html } = await page(base(defaults));
    const body = html();
    expect(body).toContain('data-testid="notification-settings"');
    for (const k of ['hot_move', 'execution_failed', 'outbox_drained', 'kill_switch']) expect(checked(body, `notify-${k}`)).toBe(true);
    expect(checked(body, 'notify-quiet-on')).toBe(false);
    expect(value(body, 'notify-quiet-start')).toBe('22:00');
    expect(value(body, 'notify-quiet-end')).toBe('07:00');
    expect(input(body, 'notify-quiet-start')).toMatch(/\sdisabled/);
    expect(body).toContain('data-testid="notify-test"');
  });

  it('shows what is stored: a kind off, quiet hours crossing midnight', async () => {
    const { html } = await page(base({ ...defaults, kill_switch: false, quiet_on: true, quiet_start_minutes: 1410, quiet_end_minutes: 390 }));
    const body = html();
    expect(checked(body, 'notify-kill_switch')).toBe(false);
    expect(checked(body, 'notify-hot_move')).toBe(true);
    expect(checked(body, 'notify-quiet-on')).toBe(true);
    expect(value(body, 'notify-quiet-start')).toBe('23:30');
    expect(value(body, 'notify-quiet-end')).toBe('06:30');
    expect(input(body, 'notify-quiet-end')).not.toMatch(/\sdisabled/);
  });

  it('saves a kind switched off and quiet hours with the form, and marks it dirty', async () => {
    const { settings, api } = await page(base(defaults));
    expect(settings.dirty).toBe(false);
    settings.draft!.notifications!.outbox_drained = false;
    settings.draft!.notifications!.quiet_on = true;
    expect(settings.dirty).toBe(true);
    await settings.save('saved');
    expect(api.SaveSettings.mock.calls[0][0].notifications).toEqual({ ...defaults, outbox_drained: false, quiet_on: true });
  });

  it('says when quiet hours start and end at the same time', async () => {
    const { html } = await page(base({ ...defaults, quiet_on: true, quiet_start_minutes: 480, quiet_end_minutes: 480 }));
    expect(html()).toContain('data-testid="notify-quiet-same"');
  });

  it('shows nothing for a server from before notifications', async () => {
    const { html } = await page(base());
    expect(html()).not.toContain('notification-settings');
  });
});
