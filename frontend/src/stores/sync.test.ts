import { describe, expect, it, vi } from 'vitest';
import type { ConnectionDTO, SyncStatusEvent } from '../api';
import { SyncStore } from './sync.svelte';
import { s } from '../strings';

const hubspot = (over: Partial<ConnectionDTO> = {}): ConnectionDTO => ({
  account: 'hubspot',
  label: 'HubSpot',
  state: 'connected',
  detail: '',
  connect_hint: 'caseyos connect hubspot --token-stdin',
  sync: { account: 'hubspot', state: 'connected', last_success: '2026-12-01T09:00:00Z', items: 42, last_items: 0, failures: 0, skipped: 0 },
  ...over,
});

describe('sync', () => {
  it('takes each account’s last sync from Connections', async () => {
    const api = { Connections: vi.fn(async () => [hubspot()]), SyncNow: vi.fn(async () => []) };
    const st = new SyncStore(api);
    await st.load();
    expect(st.status.hubspot?.items).toBe(42);
    expect(st.attention).toBe(0);
  });

  it('sync now records the answer and refuses a second kick while one is in flight', async () => {
    let release!: (v: SyncStatusEvent[]) => void;
    const api = {
      Connections: vi.fn(async () => [hubspot()]),
      SyncNow: vi.fn(() => new Promise<SyncStatusEvent[]>((r) => (release = r))),
    };
    const st = new SyncStore(api);
    await st.load();
    const first = st.syncNow('hubspot');
    expect(st.kicking.hubspot).toBe(true);
    await st.syncNow('hubspot');
    expect(api.SyncNow).toHaveBeenCalledTimes(1);
    release([{ account: 'hubspot', state: 'running', items: 0, last_items: 0, failures: 0, skipped: 0 }]);
    await first;
    expect(st.kicking.hubspot).toBe(false);
    expect(st.status.hubspot?.state).toBe('running');
  });

  it('a state change in sync:status reloads the connections', async () => {
    const api = { Connections: vi.fn(async () => [hubspot()]), SyncNow: vi.fn(async () => []) };
    const st = new SyncStore(api);
    await st.load();
    api.Connections.mockResolvedValueOnce([hubspot({ state: 'reconnect' })]);
    st.onStatus({ account: 'hubspot', state: 'reconnect', last_error: 'HubSpot refused the token', items: 0, last_items: 0, failures: 0, skipped: 0 });
    await vi.waitFor(() => expect(st.attention).toBe(1));
    expect(api.Connections).toHaveBeenCalledTimes(2);
  });

  it('a long first sync’s progress is kept from each sync:status and reads as a count', async () => {
    const api = { Connections: vi.fn(async () => [hubspot()]), SyncNow: vi.fn(async () => []) };
    const st = new SyncStore(api);
    await st.load();
    st.onStatus({ account: 'hubspot', state: 'running', items: 0, last_items: 0, failures: 0, skipped: 0, progress: 2000 });
    st.onStatus({ account: 'hubspot', state: 'running', items: 0, last_items: 0, failures: 0, skipped: 0, progress: 34200 });
    expect(st.status.hubspot?.progress).toBe(34200);
    expect(s.connections.progress(st.status.hubspot?.progress ?? 0)).toBe('34,200 fetched so far…');
    st.onStatus({ account: 'hubspot', state: 'connected', items: 100000, last_items: 100000, failures: 0, skipped: 0 });
    expect(st.status.hubspot?.progress).toBeUndefined();
  });

  it('a failed kick keeps the error to show', async () => {
    const api = { Connections: vi.fn(async () => [hubspot()]), SyncNow: vi.fn(async () => Promise.reject({ code: 'not_found', message: 'there is no account "x" to sync' })) };
    const st = new SyncStore(api);
    await st.syncNow('x');
    expect(st.error?.code).toBe('not_found');
  });
});
