// sync.svelte.ts: connections — each account's state with what to do to
// connect it — kept current by sync:status events.
import type { Api, ApiError, ConnectionDTO, SyncStatusEvent } from '../api';
import { toApiError } from '../api';

export class SyncStore {
  connections = $state.raw<ConnectionDTO[]>([]);
  /** The last sync:status per account. */
  status = $state.raw<Record<string, SyncStatusEvent>>({});
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(private api: Pick<Api, 'Connections'>) {}

  /** attention counts accounts that need the user (reconnect). */
  attention = $derived(this.connections.filter((c) => c.state === 'reconnect').length);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.connections = await this.api.Connections();
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  /** onStatus records a sync:status event and reloads when a state changed. */
  onStatus(ev: SyncStatusEvent): void {
    if (!ev || !ev.account) return;
    this.status = { ...this.status, [ev.account]: ev };
    const c = this.connections.find((x) => x.account === ev.account);
    if (c && ev.state && ev.state !== c.state && ['not_connected', 'connected', 'reconnect', 'offline'].includes(ev.state)) {
      void this.load();
    }
  }
}
