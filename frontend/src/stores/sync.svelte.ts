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

  /** Accounts whose "Sync now" is in flight. */
  kicking = $state.raw<Record<string, boolean>>({});

  constructor(private api: Pick<Api, 'Connections' | 'SyncNow'>) {}

  /** attention counts accounts that need the user (reconnect). */
  attention = $derived(this.connections.filter((c) => c.state === 'reconnect').length);

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.connections = await this.api.Connections();
      const status = { ...this.status };
      for (const c of this.connections) if (c.sync && !status[c.account]) status[c.account] = c.sync;
      this.status = status;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  /** syncNow kicks an account's sync; its progress arrives as sync:status events. */
  async syncNow(account: string): Promise<void> {
    if (this.kicking[account]) return;
    this.kicking = { ...this.kicking, [account]: true };
    try {
      const rows = await this.api.SyncNow(account);
      const status = { ...this.status };
      for (const r of rows) status[r.account] = r;
      this.status = status;
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.kicking = { ...this.kicking, [account]: false };
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
