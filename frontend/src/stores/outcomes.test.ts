import { describe, expect, it, vi } from 'vitest';
import type { OutcomeDTO, OutcomeTypeDTO } from '../api';
import { OutcomesStore, canHaveOutcomes } from './outcomes.svelte';

const types: OutcomeTypeDTO[] = [
  { type: 'replied', label: 'Replied' },
  { type: 'positive_reply', label: 'Positive reply' },
  { type: 'negative_reply', label: 'Negative reply' },
  { type: 'out_of_office', label: 'Out of office' },
];

const detected = (id: number, type: string, label: string): OutcomeDTO => ({
  id, move_id: 7, execution_id: 3, type, label, signal_id: 40 + id, note: 'Dana replied in the thread “Re: Pricing”, 2 h after the send',
  actor: 'system', occurred_at: '2026-12-01T11:00:00Z', recorded_at: '2026-12-01T11:01:00Z',
});

function fakeApi(start: OutcomeDTO[]) {
  let list = [...start];
  let next = 100;
  return {
    Outcomes: vi.fn(async (id: number) => (id === 7 ? list : [])),
    OutcomeTypes: vi.fn(async () => types),
    RecordOutcome: vi.fn(async (moveId: number, type: string, note: string, corrects: number, via: string) => {
      if (!types.some((t) => t.type === type)) throw { code: 'invalid', message: `outcome type "${type}" is unknown` };
      const o: OutcomeDTO = { id: next++, move_id: moveId, type, label: types.find((t) => t.type === type)!.label, note, actor: via,
        occurred_at: '2026-12-02T09:00:00Z', recorded_at: '2026-12-02T09:00:00Z', ...(corrects ? { corrects } : {}) };
      list = [...list.map((x) => (x.id === corrects ? { ...x, corrected_by: o.id } : x)), o];
      return o;
    }),
  };
}

describe('outcomes', () => {
  it('says which moves take outcomes', () => {
    expect(['done', 'failed', 'undone'].map(canHaveOutcomes)).toEqual([true, true, true]);
    expect(['pending', 'snoozed', 'executing', undefined].map(canHaveOutcomes)).toEqual([false, false, false, false]);
  });

  it('loads a move, records a new outcome by key and lists it', async () => {
    const api = fakeApi([detected(1, 'replied', 'Replied')]);
    const st = new OutcomesStore(api);
    await st.load(7);
    expect(st.list.map((o) => o.type)).toEqual(['replied']);
    expect(st.types).toHaveLength(4);
    st.openPicker();
    expect(st.corrects).toBe(0);
    expect(st.chosen?.type).toBe('replied');
    st.step(-1); // wraps to the last
    expect(st.chosen?.type).toBe('out_of_office');
    st.step(2);
    expect(st.chosen?.type).toBe('positive_reply');
    st.note = '  booked a call on the phone ';
    const o = await st.record('key');
    expect(api.RecordOutcome).toHaveBeenCalledWith(7, 'positive_reply', 'booked a call on the phone', 0, 'key');
    expect(o?.type).toBe('positive_reply');
    expect(st.list.map((x) => x.type)).toEqual(['replied', 'positive_reply']);
    expect(st.effective).toHaveLength(2);
    expect(st.message).toBe('Recorded: Positive reply.');
    expect(st.note).toBe('');
    // The types are asked for once.
    await st.load(7);
    expect(api.OutcomeTypes).toHaveBeenCalledTimes(1);
  });

  it('corrects a detected outcome: the old one stops counting', async () => {
    const api = fakeApi([detected(1, 'replied', 'Replied'), detected(2, 'positive_reply', 'Positive reply')]);
    const st = new OutcomesStore(api);
    await st.load(7);
    st.openPicker(2);
    expect(st.corrects).toBe(2);
    // It starts next to the type it corrects, never on it.
    expect(st.chosen?.type).toBe('negative_reply');
    const o = await st.record('key');
    expect(api.RecordOutcome).toHaveBeenCalledWith(7, 'negative_reply', '', 2, 'key');
    expect(o?.corrects).toBe(2);
    expect(st.list.find((x) => x.id === 2)?.corrected_by).toBe(o?.id);
    expect(st.effective.map((x) => x.type)).toEqual(['replied', 'negative_reply']);
    expect(st.message).toBe('Corrected to Negative reply.');
    expect(st.corrects).toBe(0);
    // A corrected outcome cannot be corrected again; the picker falls back to a new one.
    st.openPicker(2);
    expect(st.corrects).toBe(0);
  });

  it('keeps the error and the list when recording fails', async () => {
    const api = fakeApi([detected(1, 'replied', 'Replied')]);
    api.RecordOutcome.mockRejectedValueOnce({ code: 'conflict', message: 'move 7 is pending: outcomes are recorded for moves that were carried out' });
    const st = new OutcomesStore(api);
    await st.load(7);
    st.openPicker();
    expect(await st.record('key')).toBeNull();
    expect(st.error?.code).toBe('conflict');
    expect(st.list).toHaveLength(1);
  });

  it('drops a late answer for a move no longer open', async () => {
    const api = fakeApi([detected(1, 'replied', 'Replied')]);
    let release: () => void = () => {};
    api.Outcomes.mockImplementationOnce(async () => {
      await new Promise<void>((r) => (release = r));
      return [detected(1, 'replied', 'Replied')];
    });
    const st = new OutcomesStore(api);
    const first = st.load(7);
    await st.load(8);
    release();
    await first;
    expect(st.moveId).toBe(8);
    expect(st.list).toEqual([]);
  });

  it('does nothing without a move or types', async () => {
    const st = new OutcomesStore(fakeApi([]));
    expect(await st.record('key')).toBeNull();
    st.step(1);
    expect(st.selected).toBe(0);
  });
});
