// outcomes.svelte.ts: what happened after a move was carried out — the
// outcomes detected from later signals and those recorded by hand — for
// the move open in the detail, and the picker (o) that adds or corrects one.
import type { Api, ApiError, OutcomeDTO, OutcomeTypeDTO, Via } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';

export type OutcomesApi = Pick<Api, 'Outcomes' | 'RecordOutcome' | 'OutcomeTypes'>;

/** Statuses of a move that was carried out: outcomes are recorded for these. */
const carriedOut = new Set(['done', 'failed', 'undone']);

export function canHaveOutcomes(status: string | undefined): boolean {
  return !!status && carriedOut.has(status);
}

export class OutcomesStore {
  /** The move whose outcomes are loaded (the detail's, when it was carried out). */
  moveId = $state<number | null>(null);
  list = $state.raw<OutcomeDTO[]>([]);
  types = $state.raw<OutcomeTypeDTO[]>([]);
  loading = $state(false);
  busy = $state(false);
  error = $state.raw<ApiError | null>(null);
  message = $state('');

  /** The picker: which type is chosen (an index into types), its note, and the outcome it corrects (0: none). */
  selected = $state(0);
  note = $state('');
  corrects = $state(0);

  constructor(private api: OutcomesApi) {}

  /** The outcomes that count: those no later one corrects. */
  effective = $derived(this.list.filter((o) => !o.corrected_by));

  /** The outcomes a correction can replace (those that still count). */
  correctable = $derived(this.effective);

  async load(moveId: number): Promise<void> {
    if (this.moveId !== moveId) {
      this.list = [];
      this.message = '';
    }
    this.moveId = moveId;
    this.loading = true;
    try {
      const [list, types] = await Promise.all([this.api.Outcomes(moveId), this.types.length ? Promise.resolve(this.types) : this.api.OutcomeTypes()]);
      if (this.moveId !== moveId) return; // another move was opened meanwhile
      this.list = list;
      this.types = types;
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  clear(): void {
    this.moveId = null;
    this.list = [];
    this.message = '';
    this.error = null;
  }

  /**
   * openPicker readies the picker: a new outcome, or with corrects the correction of that outcome
   * (the choice starts on its type's neighbour, since a correction changes the type).
   */
  openPicker(corrects = 0): void {
    this.corrects = this.correctable.some((o) => o.id === corrects) ? corrects : 0;
    this.note = '';
    this.message = '';
    this.error = null;
    const from = this.list.find((o) => o.id === this.corrects);
    const i = from ? this.types.findIndex((t) => t.type === from.type) : -1;
    this.selected = i >= 0 ? (i + 1) % Math.max(1, this.types.length) : 0;
  }

  /** step moves the choice by delta, wrapping around. */
  step(delta: number): void {
    const n = this.types.length;
    if (n) this.selected = (((this.selected + delta) % n) + n) % n;
  }

  choose(type: string): void {
    const i = this.types.findIndex((t) => t.type === type);
    if (i >= 0) this.selected = i;
  }

  get chosen(): OutcomeTypeDTO | undefined {
    return this.types[this.selected];
  }

  /** record stores the chosen outcome for the loaded move; returns it, or null (error says why). */
  async record(via: Via = 'key'): Promise<OutcomeDTO | null> {
    const id = this.moveId;
    const t = this.chosen;
    if (id === null || !t) return null;
    this.busy = true;
    try {
      const o = await this.api.RecordOutcome(id, t.type, this.note.trim(), this.corrects, via);
      if (this.moveId === id) {
        this.list = [...this.list.map((x) => (x.id === o.corrects ? { ...x, corrected_by: o.id } : x)), o];
      }
      this.message = o.corrects ? s.outcomes.corrected(o.label) : s.outcomes.recorded(o.label);
      this.error = null;
      this.note = '';
      this.corrects = 0;
      return o;
    } catch (e) {
      this.error = toApiError(e);
      return null;
    } finally {
      this.busy = false;
    }
  }
}
