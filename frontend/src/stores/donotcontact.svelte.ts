// The do-not-contact list: the addresses the do_not_contact guardrail
// refuses to send to, shown and edited in Settings.
import type { Api, ApiError, DoNotContactDTO, DoNotContactReason, Via } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';

export type DoNotContactApi = Pick<Api, 'DoNotContact' | 'AddDoNotContact' | 'RemoveDoNotContact'>;

/** looksLikeEmail is the form's own check before asking: one @, no spaces; the app decides. */
export function looksLikeEmail(v: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(v.trim());
}

export class DoNotContactStore {
  list = $state.raw<DoNotContactDTO[]>([]);
  loaded = $state(false);
  busy = $state(false);
  error = $state.raw<ApiError | null>(null);
  message = $state('');
  form = $state<{ email: string; reason: DoNotContactReason; note: string }>({ email: '', reason: 'manual', note: '' });

  constructor(private api: DoNotContactApi) {}

  async load(): Promise<void> {
    try {
      this.list = await this.api.DoNotContact();
      this.loaded = true;
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    }
  }

  /** add puts the form's address on the list; the form empties once it is there. */
  async add(via: Via = 'click'): Promise<boolean> {
    const email = this.form.email.trim();
    if (!looksLikeEmail(email)) {
      this.error = { code: 'invalid', message: s.dnc.notAnAddress };
      return false;
    }
    return this.run(async () => {
      this.list = await this.api.AddDoNotContact(email, this.form.reason, this.form.note.trim(), via);
      this.form = { email: '', reason: 'manual', note: '' };
      this.message = s.dnc.added(email.toLowerCase());
    });
  }

  async remove(email: string, via: Via = 'click'): Promise<boolean> {
    return this.run(async () => {
      this.list = await this.api.RemoveDoNotContact(email, via);
      this.message = s.dnc.removed(email);
    });
  }

  private async run(f: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.message = '';
    try {
      await f();
      this.error = null;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
