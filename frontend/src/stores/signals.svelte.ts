// signals.svelte.ts: the signals feed — what came in, from where, and the
// moves it produced — newest first, a page at a time.
import type { Api, ApiError, SignalDTO } from '../api';
import { toApiError } from '../api';

export const pageSize = 50;

export class SignalsStore {
  signals = $state.raw<SignalDTO[]>([]);
  total = $state(0);
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);
  private seq = 0;

  constructor(private api: Pick<Api, 'Signals'>) {}

  hasMore = $derived(this.signals.length < this.total);

  /** load (re)reads the first pages, as many as are shown now. */
  async load(): Promise<void> {
    const my = ++this.seq;
    this.loading = true;
    try {
      const res = await this.api.Signals(Math.max(pageSize, this.signals.length), 0);
      if (my !== this.seq) return;
      this.signals = res.signals ?? [];
      this.total = res.total ?? this.signals.length;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      if (my === this.seq) this.error = toApiError(e);
    } finally {
      if (my === this.seq) this.loading = false;
    }
  }

  async more(): Promise<void> {
    if (this.loading || !this.hasMore) return;
    const my = ++this.seq;
    this.loading = true;
    try {
      const res = await this.api.Signals(pageSize, this.signals.length);
      if (my !== this.seq) return;
      const have = new Set(this.signals.map((x) => x.id));
      this.signals = [...this.signals, ...(res.signals ?? []).filter((x) => !have.has(x.id))];
      this.total = res.total ?? this.total;
      this.error = null;
    } catch (e) {
      if (my === this.seq) this.error = toApiError(e);
    } finally {
      if (my === this.seq) this.loading = false;
    }
  }
}
