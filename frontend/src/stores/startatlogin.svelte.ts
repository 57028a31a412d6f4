// Start at login: the login entry that opens CaseyOS to its tray. The
// truth is the file on disk, so the store only ever shows what the app
// read back from it.
import type { Api, ApiError, StartAtLoginDTO, Via } from '../api';
import { toApiError } from '../api';

export type StartAtLoginApi = Pick<Api, 'StartAtLogin' | 'SetStartAtLogin'>;

export class StartAtLoginStore {
  state = $state.raw<StartAtLoginDTO | null>(null);
  busy = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(private api: StartAtLoginApi) {}

  async load(): Promise<void> {
    try {
      this.state = await this.api.StartAtLogin();
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    }
  }

  /** set switches it; on failure the switch shows the file's state again. */
  async set(on: boolean, via: Via = 'click'): Promise<boolean> {
    this.busy = true;
    try {
      this.state = await this.api.SetStartAtLogin(on, via);
      this.error = null;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      await this.load().catch(() => {});
      if (this.error === null) this.error = toApiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
