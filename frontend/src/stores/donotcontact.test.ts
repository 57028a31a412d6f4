import { describe, expect, it, vi } from 'vitest';
import type { DoNotContactDTO } from '../api';
import { DoNotContactStore, looksLikeEmail } from './donotcontact.svelte';

const entry = (email: string, reason = 'manual', by = 'click'): DoNotContactDTO => ({ email, reason, by, at: '2026-12-01T09:00:00Z' });

function fakeApi(start: DoNotContactDTO[] = []) {
  let list = [...start];
  return {
    DoNotContact: vi.fn(async () => list),
    AddDoNotContact: vi.fn(async (email: string, reason: string, note: string) => {
      if (reason === 'spite') throw { code: 'invalid', message: `do-not-contact reason "${reason}" is not bounced, unsubscribed or manual` };
      list = [...list.filter((d) => d.email !== email.toLowerCase()), { ...entry(email.toLowerCase(), reason || 'manual'), note }];
      return list;
    }),
    RemoveDoNotContact: vi.fn(async (email: string) => {
      list = list.filter((d) => d.email !== email.toLowerCase());
      return list;
    }),
  };
}

describe('do-not-contact', () => {
  it('loads the list, adds from the form and removes', async () => {
    const api = fakeApi([entry('liam@bluequill.io', 'unsubscribed', 'system')]);
    const st = new DoNotContactStore(api);
    await st.load();
    expect(st.loaded).toBe(true);
    expect(st.list.map((d) => d.email)).toEqual(['liam@bluequill.io']);

    st.form = { email: '  Maya@Acme.io ', reason: 'unsubscribed', note: ' replied STOP ' };
    expect(await st.add()).toBe(true);
    expect(api.AddDoNotContact).toHaveBeenCalledWith('Maya@Acme.io', 'unsubscribed', 'replied STOP', 'click');
    expect(st.list.map((d) => d.email)).toEqual(['liam@bluequill.io', 'maya@acme.io']);
    expect(st.form).toEqual({ email: '', reason: 'manual', note: '' });
    expect(st.message).toBe('Nothing will be sent to maya@acme.io.');

    expect(await st.remove('liam@bluequill.io')).toBe(true);
    expect(api.RemoveDoNotContact).toHaveBeenCalledWith('liam@bluequill.io', 'click');
    expect(st.list.map((d) => d.email)).toEqual(['maya@acme.io']);
    expect(st.error).toBeNull();
  });

  it('refuses what is not an address before asking, and keeps the app’s refusal and the form', async () => {
    const api = fakeApi();
    const st = new DoNotContactStore(api);
    await st.load();
    for (const bad of ['', 'maya', 'maya @acme.io', 'a@b@c', '@acme.io']) {
      st.form.email = bad;
      expect(await st.add()).toBe(false);
    }
    expect(api.AddDoNotContact).not.toHaveBeenCalled();
    expect(st.error?.code).toBe('invalid');

    st.form = { email: 'a@b.io', reason: 'spite' as never, note: '' };
    expect(await st.add()).toBe(false);
    expect(st.error?.message).toMatch(/not bounced, unsubscribed or manual/);
    expect(st.form.email).toBe('a@b.io');
    expect(st.list).toEqual([]);
  });

  it('says when the list cannot be read', async () => {
    const api = { ...fakeApi(), DoNotContact: vi.fn(async () => Promise.reject({ code: 'unavailable', message: 'CaseyOS is not reachable' })) };
    const st = new DoNotContactStore(api);
    await st.load();
    expect(st.loaded).toBe(false);
    expect(st.error?.code).toBe('unavailable');
  });

  it('looksLikeEmail', () => {
    expect(looksLikeEmail(' dana@northwind.io ')).toBe(true);
    expect(looksLikeEmail('dana@northwind.io\nbcc@x.io')).toBe(false);
  });
});
