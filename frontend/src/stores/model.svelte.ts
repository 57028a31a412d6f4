// The optional language model: shown, connected and disconnected in
// Settings. Its API key is write-only: the form's key starts empty, and
// only has_key ever comes back.
import type { Api, ApiError, LanguageModelDTO, Via } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';

export type ModelApi = Pick<Api, 'LanguageModel' | 'ConfigureLanguageModel' | 'ConnectLanguageModel' | 'DisconnectLanguageModel'>;

/** neverSendList reads the textarea: one company id or domain per line (commas too), blanks dropped. */
export function neverSendList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

export class ModelStore {
  saved = $state.raw<LanguageModelDTO | null>(null);
  loading = $state(false);
  busy = $state<'' | 'connect' | 'guardrails' | 'disconnect'>('');
  error = $state.raw<ApiError | null>(null);
  message = $state('');
  form = $state({ url: '', model: '', key: '', dailyTokens: '', neverSend: '', skipCheck: false });

  constructor(private api: ModelApi) {}

  /** configured: a model is saved (it may still be inactive: the demo, no connector). */
  get configured(): boolean {
    return !!this.saved?.url;
  }

  /** canConnect: a URL and a model are typed and nothing is under way. */
  get canConnect(): boolean {
    return this.busy === '' && this.form.url.trim() !== '' && this.form.model.trim() !== '';
  }

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.fill(await this.api.LanguageModel());
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  private fill(m: LanguageModelDTO) {
    this.saved = m;
    this.form = {
      url: m.url,
      model: m.model ?? '',
      key: '',
      dailyTokens: m.daily_tokens ? String(m.daily_tokens) : '',
      neverSend: (m.never_send ?? []).join('\n'),
      skipCheck: false,
    };
  }

  private dto(): LanguageModelDTO {
    const tokens = Number(String(this.form.dailyTokens ?? '').trim() || '0');
    return {
      url: this.form.url.trim(),
      model: this.form.model.trim(),
      daily_tokens: Number.isFinite(tokens) && tokens > 0 ? Math.floor(tokens) : 0,
      never_send: neverSendList(this.form.neverSend),
      // The stored key is kept only for the same URL: it never goes to another endpoint.
      has_key: !!this.saved?.has_key && this.saved.url === this.form.url.trim(),
      budget: 0,
      used_today: 0,
      active: false,
    };
  }

  /** connect checks (unless skipCheck) and saves the model with the typed key. */
  async connect(via: Via = 'click'): Promise<boolean> {
    return this.run('connect', async () => {
      const m = await this.api.ConnectLanguageModel(this.dto(), this.form.key, !this.form.skipCheck, via);
      this.fill(m);
      this.message = s.modelSettings.connected(m.name ?? m.model ?? m.url);
    });
  }

  /** saveGuardrails stores the budget and the never-send list, the model and key as they are. */
  async saveGuardrails(via: Via = 'click'): Promise<boolean> {
    return this.run('guardrails', async () => {
      const cur = this.saved;
      const d = this.dto();
      const m = await this.api.ConfigureLanguageModel({ ...d, url: cur?.url ?? '', model: cur?.model ?? '' }, via);
      this.fill(m);
      this.message = s.modelSettings.guardrailsSaved;
    });
  }

  async disconnect(via: Via = 'click'): Promise<boolean> {
    return this.run('disconnect', async () => {
      this.fill(await this.api.DisconnectLanguageModel(via));
      this.message = s.modelSettings.disconnected;
    });
  }

  private async run(kind: 'connect' | 'guardrails' | 'disconnect', f: () => Promise<void>): Promise<boolean> {
    this.busy = kind;
    this.message = '';
    try {
      await f();
      this.error = null;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.busy = '';
    }
  }
}
