// transcription.svelte.ts: the optional online recognizer as Settings
// edits it. The API key is write-only: typed into the form, sent once with
// Save, then cleared; it is never read back — has_key only says that one
// is stored in the keychain. How the endpoint is doing comes from the
// voice status (VoiceStore), not from here.
import type { Api, ApiError, OnlineRecognizerDTO, TranscriptionDTO } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';

export type TranscriptionApi = Pick<Api, 'Transcription' | 'ConnectTranscription' | 'DisconnectTranscription'>;

/** The model OpenAI transcribes with, and the connector's default. */
export const defaultModel = 'whisper-1';

/** The longest timeout the server accepts (backend.MaxTranscriptionTimeout). */
export const maxTimeoutSeconds = 30;

export interface TranscriptionForm {
  url: string;
  model: string;
  /** seconds as typed; '' = the default (4 s) */
  timeout: string;
  /** the API key being typed: sent once with Save, never filled from the server */
  key: string;
  skipCheck: boolean;
}

/** trimUrl is a URL as the server stores it: no spaces, no trailing slash. */
export function trimUrl(u: string): string {
  return u.trim().replace(/\/+$/, '');
}

function formOf(t: TranscriptionDTO | null): TranscriptionForm {
  return {
    url: t?.url ?? '',
    model: t?.model || defaultModel,
    timeout: t?.timeout_ms ? String(t.timeout_ms / 1000) : '',
    key: '',
    skipCheck: false,
  };
}

export class TranscriptionStore {
  /** What is configured (never the key). */
  saved = $state.raw<TranscriptionDTO | null>(null);
  form = $state<TranscriptionForm>(formOf(null));
  loading = $state(false);
  busy = $state<'' | 'save' | 'remove'>('');
  error = $state.raw<ApiError | null>(null);
  /** What the last Save or Remove did. */
  message = $state('');
  /** What it needs you to know (the demo is open: it went to your own workspace). */
  notice = $state('');
  /** The last Save went to your own workspace, not the open (demo) one. */
  elsewhere = $state(false);

  constructor(private api: TranscriptionApi) {}

  configured = $derived(!!this.saved?.url);
  sameUrl = $derived(!!this.saved?.url && trimUrl(this.form.url) === this.saved.url);
  /** keepsKey: Save keeps the stored key — the field is empty and the URL the same. */
  keepsKey = $derived(!!this.saved?.has_key && this.form.key.trim() === '' && this.sameUrl);
  /** dropsKey: the stored key would not go to this other URL. */
  dropsKey = $derived(!!this.saved?.has_key && this.form.key.trim() === '' && !this.sameUrl && trimUrl(this.form.url) !== '');
  canSave = $derived(trimUrl(this.form.url) !== '' && this.busy === '');

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.fill(await this.api.Transcription());
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  private fill(t: TranscriptionDTO): void {
    this.elsewhere = false;
    this.saved = { url: t?.url ?? '', model: t?.model ?? '', timeout_ms: t?.timeout_ms ?? 0, has_key: !!t?.has_key };
    this.form = formOf(this.saved);
  }

  /** timeoutMs reads the timeout field: 0 for the default, null when it is not a valid number of seconds. */
  timeoutMs(): number | null {
    const v = this.form.timeout.trim();
    if (v === '') return 0;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > maxTimeoutSeconds) return null;
    return Math.round(n * 1000);
  }

  /** save checks the endpoint (unless skipCheck) and stores it, the key in the keychain only. */
  async save(): Promise<boolean> {
    if (!this.canSave) return false;
    const timeout = this.timeoutMs();
    if (timeout === null) {
      this.error = { code: 'invalid', message: s.voiceSettings.timeoutBad };
      return false;
    }
    const check = !this.form.skipCheck;
    const dto: TranscriptionDTO = { url: trimUrl(this.form.url), model: this.form.model.trim(), timeout_ms: timeout, has_key: this.keepsKey };
    this.busy = 'save';
    this.message = '';
    this.notice = '';
    try {
      const out = await this.api.ConnectTranscription(dto, this.form.key.trim(), check, 'click');
      this.fill(out); // the key leaves the form
      const name = out.name || out.url;
      this.message = check ? s.voiceSettings.saved(name) : s.voiceSettings.savedUnchecked(name);
      this.notice = out.notice ?? '';
      this.elsewhere = !!out.notice;
      this.error = null;
      return true;
    } catch (e) {
      // The key stays typed: a wrong URL is fixed without typing it again.
      this.error = toApiError(e);
      return false;
    } finally {
      this.busy = '';
    }
  }

  /** remove deletes the endpoint and its key: voice is offline only again. */
  async remove(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = 'remove';
    this.message = '';
    this.notice = '';
    try {
      const out = await this.api.DisconnectTranscription('click');
      this.fill(out);
      this.message = s.voiceSettings.removed;
      this.notice = out.notice ?? '';
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

export interface OnlineState {
  /** off, untried, or the voice status's online.state */
  state: string;
  label: string;
  /** why, when it is not ready */
  message: string;
  /** when it is tried again after a failure */
  until?: string;
}

/**
 * onlineState says how the configured endpoint is doing, from the voice
 * status's online field: off when none is configured, untried while voice
 * has not used it since CaseyOS started, elsewhere when it was saved to your
 * own workspace while the demo is open.
 */
export function onlineState(saved: TranscriptionDTO | null, online: OnlineRecognizerDTO | null | undefined, elsewhere = false): OnlineState {
  const st = s.voiceSettings.state;
  if (!saved?.url) return { state: 'off', label: st.off, message: '' };
  if (elsewhere) return { state: 'elsewhere', label: st.elsewhere, message: '' };
  if (!online || online.url !== saved.url) return { state: 'untried', label: st.untried, message: '' };
  if (online.state === 'ready') return { state: 'ready', label: st.ready, message: '' };
  return { state: online.state, label: st[online.state] ?? online.state, message: online.message ?? '', until: online.until };
}
