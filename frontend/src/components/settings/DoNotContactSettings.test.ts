// DoNotContactSettings rendered on its own (svelte/server), over a store
// already loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { Api, DoNotContactDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { DoNotContactStore } from '../../stores/donotcontact.svelte';
import DoNotContactSettings from './DoNotContactSettings.svelte';

async function page(list: DoNotContactDTO[]) {
  const api = { DoNotContact: vi.fn(async () => list), AddDoNotContact: vi.fn(), RemoveDoNotContact: vi.fn() };
  const store = new DoNotContactStore(api);
  await store.load();
  const ctx = { api: api as unknown as Api } as unknown as AppContext;
  return render(DoNotContactSettings, { props: { store }, context: contextFor(ctx) }).body;
}

const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('DoNotContactSettings', () => {
  it('lists each address with its reason, note and who put it there, each with Remove', async () => {
    const body = await page([
      { email: 'liam@bluequill.io', reason: 'unsubscribed', note: 'signal 39', by: 'system', at: '2026-11-22T10:30:00Z' },
      { email: 'maya@acme.io', reason: 'manual', by: 'click', at: '2026-12-01T09:00:00Z' },
    ]);
    expect(body.match(/data-testid="dnc-entry"/g)).toHaveLength(2);
    expect(body.match(/data-testid="dnc-remove"/g)).toHaveLength(2);
    const t = text(body);
    expect(t).toContain('liam@bluequill.io unsubscribed · signal 39 · system');
    expect(t).toContain('maya@acme.io manual · click');
    expect(body).toContain('aria-label="Remove maya@acme.io from the do-not-contact list"');
    expect(body).toContain('data-testid="dnc-add"');
  });

  it('says when no one is on the list', async () => {
    const body = await page([]);
    expect(text(body)).toContain('No one is on the list.');
    expect(body).not.toContain('data-testid="dnc-entry"');
  });
});
