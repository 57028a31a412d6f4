// Global shortcuts: the keys of each action, edited in Settings, and the
// state the desktop app reports for each (active, taken by another app,
// not supported here). The server validates: its message names the
// action and what is wrong with the keys.
import type { Api, ApiError, ShortcutsDTO, Via } from '../api';
import { toApiError } from '../api';

export type ShortcutsApi = Pick<Api, 'Shortcuts' | 'SetShortcuts'>;

export class ShortcutsStore {
  state = $state.raw<ShortcutsDTO | null>(null);
  /** The keys being edited, by action. */
  draft = $state<Record<string, string>>({});
  busy = $state(false);
  error = $state.raw<ApiError | null>(null);
  message = $state('');

  constructor(private api: ShortcutsApi) {}

  dirty = $derived((this.state?.shortcuts ?? []).some((s) => (this.draft[s.action] ?? '').trim() !== s.keys));

  private take(st: ShortcutsDTO): void {
    this.state = st;
    this.draft = Object.fromEntries(st.shortcuts.map((s) => [s.action, s.keys]));
  }

  async load(): Promise<void> {
    try {
      this.take(await this.api.Shortcuts());
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    }
  }

  /** save sends every action's keys; on an error the draft stays for fixing. */
  async save(savedMessage: string, via: Via = 'click'): Promise<boolean> {
    if (!this.state) return false;
    this.busy = true;
    this.message = '';
    try {
      const list = this.state.shortcuts.map((s) => ({ ...s, keys: (this.draft[s.action] ?? '').trim() }));
      this.take(await this.api.SetShortcuts(list, via));
      this.error = null;
      this.message = savedMessage;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
