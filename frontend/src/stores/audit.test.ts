import { describe, expect, it, vi } from 'vitest';
import type { AuditEntryDTO } from '../api';
import { AuditStore, auditPage } from './audit.svelte';

const entry = (seq: number): AuditEntryDTO => ({ seq, at: '2026-12-01T09:00:00Z', actor: 'key', action: 'move.skipped', aps: 0, prev_hash: `h${seq - 1}`, hash: `h${seq}` });

describe('audit', () => {
  it('loads the newest page, newest first', async () => {
    const all = Array.from({ length: 250 }, (_, i) => entry(i + 1));
    const api = {
      AuditLog: vi.fn(async (offset: number, limit: number) => ({ total: all.length, entries: all.slice(offset, offset + limit) })),
      VerifyAudit: vi.fn(async () => ({ ok: true, status: 'ok', entries: 250, message: '' })),
    };
    const st = new AuditStore(api);
    await st.load();
    expect(api.AuditLog).toHaveBeenLastCalledWith(150, auditPage);
    expect(st.total).toBe(250);
    expect(st.entries.map((e) => e.seq).slice(0, 2)).toEqual([250, 249]);
    expect(st.entries).toHaveLength(100);
    await st.verify();
    expect(st.check?.ok).toBe(true);
  });

  it('keeps a tampered chain’s verdict and a failed load’s error', async () => {
    const api = {
      AuditLog: vi.fn(async () => Promise.reject({ code: 'unavailable', message: 'CaseyOS is not reachable' })),
      VerifyAudit: vi.fn(async () => ({ ok: false, status: 'tampered', entries: 12, bad_seq: 7, message: 'entry 7 does not match its hash: the log was changed' })),
    };
    const st = new AuditStore(api);
    await st.load();
    expect(st.loaded).toBe(false);
    expect(st.error?.code).toBe('unavailable');
    await st.verify();
    expect(st.check).toMatchObject({ ok: false, bad_seq: 7 });
  });
});
