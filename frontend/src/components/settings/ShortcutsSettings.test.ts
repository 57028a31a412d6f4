// ShortcutsSettings rendered on its own (svelte/server) over a store
// loaded from a fake API, and the store's save.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { Api, ShortcutDTO, ShortcutsDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { ShortcutsStore } from '../../stores/shortcuts.svelte';
import ShortcutsSettings from './ShortcutsSettings.svelte';

const row = (action: string, label: string, keys: string, state: string, message = '', trigger = ''): ShortcutDTO => ({ action, label, keys, state, message, trigger });

function desktop(): ShortcutsDTO {
  return {
    note: '',
    shortcuts: [
      row('show_hide', 'Show or hide CaseyOS', 'Ctrl+Alt+Space', 'active'),
      row('preview', "Open the top move's preview", 'Ctrl+Alt+P', 'active', '', 'Press Ctrl+Alt+P'),
      row('skip', 'Skip the top move', 'Ctrl+Alt+S', 'taken', 'Another app already uses Ctrl+Alt+S: choose other keys, or free them in that app'),
      row('push_to_talk', 'Push to talk (hold)', 'F13', 'unsupported', 'This keyboard has no F13 key'),
    ],
  };
}

async function page(store: ShortcutsStore) {
  const ctx = { api: {} as unknown as Api } as unknown as AppContext;
  return render(ShortcutsSettings, { props: { store }, context: contextFor(ctx) }).body;
}

describe('ShortcutsSettings', () => {
  it('shows each shortcut’s keys and state: active, taken by another app, not supported here', async () => {
    const store = new ShortcutsStore({ Shortcuts: vi.fn(async () => desktop()), SetShortcuts: vi.fn() });
    await store.load();
    const body = await page(store);
    // One row's HTML: from its data-testid to the next row's (or the save button).
    const rowOf = (action: string) => body.split('data-testid="shortcut').find((part) => part.startsWith(`-${action}"`)) ?? '';
    expect(rowOf('show_hide')).toContain('value="Ctrl+Alt+Space"');
    expect(rowOf('show_hide')).toContain('data-state="active"');
    expect(rowOf('skip')).toContain('taken by another app');
    expect(rowOf('skip')).toContain('Another app already uses Ctrl+Alt+S');
    expect(rowOf('push_to_talk')).toContain('not supported here');
    expect(rowOf('preview')).toContain('Your desktop bound: Press Ctrl+Alt+P');
    expect(body).not.toContain('data-testid="shortcuts-note"');
  });

  it('says plainly when the desktop offers no global shortcuts', async () => {
    const note = 'Your desktop does not offer global shortcuts (its XDG desktop portal has no GlobalShortcuts interface): use the tray icon or the window\'s own keys.';
    const st = desktop();
    st.note = note;
    st.shortcuts = st.shortcuts.map((s) => ({ ...s, state: 'unsupported', message: note }));
    const store = new ShortcutsStore({ Shortcuts: vi.fn(async () => st), SetShortcuts: vi.fn() });
    await store.load();
    const body = await page(store);
    expect(body).toContain('data-testid="shortcuts-note"');
    expect(body).toContain('Your desktop does not offer global shortcuts');
  });

  it('saves every action’s keys, and keeps the draft with the server’s message when they cannot be parsed', async () => {
    const api = {
      Shortcuts: vi.fn(async () => desktop()),
      SetShortcuts: vi.fn(async (list: ShortcutDTO[]) => {
        const bad = list.find((s) => s.keys.includes('Banana'));
        if (bad) throw { code: 'invalid', message: `Skip the top move: "${bad.keys}": "Banana" is not a key CaseyOS knows` };
        const st = desktop();
        st.shortcuts = st.shortcuts.map((s) => ({ ...s, keys: list.find((l) => l.action === s.action)!.keys, state: 'active', message: '' }));
        return st;
      }),
    };
    const store = new ShortcutsStore(api);
    await store.load();
    expect(store.dirty).toBe(false);
    store.draft.skip = 'Ctrl+Alt+Banana';
    expect(store.dirty).toBe(true);
    expect(await store.save('ok')).toBe(false);
    expect(store.error?.message).toContain('Skip the top move');
    expect(store.draft.skip).toBe('Ctrl+Alt+Banana');
    const body = await page(store);
    expect(body).toContain('role="alert"');
    expect(body).toContain('is not a key CaseyOS knows');

    store.draft.skip = ' Ctrl+Alt+K ';
    store.draft.push_to_talk = '';
    expect(await store.save('ok')).toBe(true);
    const sent = api.SetShortcuts.mock.calls.at(-1)![0];
    expect(sent.map((s) => [s.action, s.keys])).toEqual([
      ['show_hide', 'Ctrl+Alt+Space'],
      ['preview', 'Ctrl+Alt+P'],
      ['skip', 'Ctrl+Alt+K'],
      ['push_to_talk', ''],
    ]);
    expect(store.error).toBe(null);
    expect(store.dirty).toBe(false);
    expect(store.message).toBe('ok');
  });
});
