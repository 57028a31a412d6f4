// StartAtLoginSettings rendered on its own (svelte/server) over a store
// loaded from a fake API, and the store's switch.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { Api, StartAtLoginDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { StartAtLoginStore } from '../../stores/startatlogin.svelte';
import StartAtLoginSettings from './StartAtLoginSettings.svelte';

const entry = '/home/casey/.config/autostart/caseyos.desktop';

function fakeApi(onDisk: StartAtLoginDTO, fail?: { code: string; message: string }) {
  return {
    StartAtLogin: vi.fn(async () => ({ ...onDisk })),
    SetStartAtLogin: vi.fn(async (on: boolean) => {
      if (fail) throw fail;
      onDisk.on = on;
      return { ...onDisk };
    }),
  };
}

async function page(store: StartAtLoginStore) {
  const ctx = { api: {} as unknown as Api } as unknown as AppContext;
  return render(StartAtLoginSettings, { props: { store }, context: contextFor(ctx) }).body;
}

describe('StartAtLoginSettings', () => {
  it('shows the switch as the entry on disk says, with the entry’s path', async () => {
    for (const on of [true, false]) {
      const store = new StartAtLoginStore(fakeApi({ on, entry }));
      await store.load();
      const body = await page(store);
      const input = body.match(/<input[^>]*data-testid="start-at-login-switch"[^>]*>/)?.[0] ?? '';
      expect(input).toContain('type="checkbox"');
      expect(/\schecked(\s|=|>|\/)/.test(input)).toBe(on);
      expect(input).not.toMatch(/\sdisabled/);
      expect(body).toContain(entry);
      expect(body).toContain('Open CaseyOS in the tray when I log in');
    }
  });

  it('is disabled until the state is known, and shows why it could not load', async () => {
    const api = fakeApi({ on: false, entry });
    api.StartAtLogin.mockRejectedValueOnce({ code: 'unavailable', message: 'starting at login is not supported on windows' });
    const store = new StartAtLoginStore(api);
    await store.load();
    const body = await page(store);
    expect(body.match(/<input[^>]*data-testid="start-at-login-switch"[^>]*>/)?.[0]).toMatch(/\sdisabled/);
    expect(body).toContain('role="alert"');
    expect(body).toContain('not supported on windows');
  });
});

describe('StartAtLoginStore', () => {
  it('switches on and off through the app, as a click', async () => {
    const api = fakeApi({ on: false, entry });
    const store = new StartAtLoginStore(api);
    await store.load();
    expect(await store.set(true)).toBe(true);
    expect(api.SetStartAtLogin).toHaveBeenLastCalledWith(true, 'click');
    expect(store.state?.on).toBe(true);
    expect(await store.set(false)).toBe(true);
    expect(store.state?.on).toBe(false);
    expect(store.busy).toBe(false);
  });

  it('keeps the file’s state and shows the conflict when the entry is not ours', async () => {
    const conflict = { code: 'conflict', message: `${entry} was not written by this CaseyOS` };
    const api = fakeApi({ on: false, entry }, conflict);
    const store = new StartAtLoginStore(api);
    await store.load();
    expect(await store.set(true)).toBe(false);
    expect(store.state?.on).toBe(false);
    expect(store.error?.code).toBe('conflict');
    expect(store.error?.message).toContain(entry);
    expect(store.busy).toBe(false);
  });
});
