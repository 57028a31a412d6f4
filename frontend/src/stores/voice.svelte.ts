// voice.svelte.ts: the voice session as the UI shows it — whether the
// microphone is open, what was heard and what it did, and a send waiting
// for a spoken "confirm".
import type { Api, ApiError, VoiceOutcomeDTO, VoiceStatusDTO } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';

export type VoiceApi = Pick<Api, 'VoiceStatus' | 'VoiceStart' | 'VoiceStop' | 'VoicePushToTalk'>;

export class VoiceStore {
  status = $state.raw<VoiceStatusDTO | null>(null);
  /** The last utterance and when it came (epoch ms). */
  heard = $state.raw<(VoiceOutcomeDTO & { at: number }) | null>(null);
  /** The talk key is down (push-to-talk). */
  talking = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(
    private api: VoiceApi,
    private now: () => number = Date.now,
  ) {}

  /** available: a recognizer is there to load (a build or machine without one says why). */
  available = $derived(this.status !== null && this.status.recognizer !== 'unavailable');
  /** why voice cannot be used, for the button's title. */
  why = $derived(this.status?.recognizer === 'unavailable' ? this.status.recognizer_message || '' : this.status?.mic ? this.status.detail || this.status.mic : '');

  async load(): Promise<void> {
    try {
      this.status = await this.api.VoiceStatus();
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    }
  }

  /** toggle opens the microphone (push-to-talk) or closes it. */
  async toggle(): Promise<void> {
    try {
      this.status = this.status?.running ? await this.api.VoiceStop() : await this.api.VoiceStart('push_to_talk', '');
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
      await this.load();
    }
  }

  /** talk presses or releases the talk key for the focused move. */
  async talk(moveId: number | null): Promise<void> {
    try {
      if (!this.status?.running) this.status = await this.api.VoiceStart('push_to_talk', '');
      this.talking = !this.talking;
      this.status = await this.api.VoicePushToTalk(this.talking, moveId ?? 0);
      this.error = null;
    } catch (e) {
      this.talking = false;
      this.error = toApiError(e);
    }
  }

  /** recognizerLine names the online recognizer that hears, or its trouble; "" when voice is offline only. */
  recognizerLine = $derived.by(() => {
    const o = this.status?.online;
    if (!o) return '';
    if (o.state === 'ready') return s.voice.online(o.name);
    return s.voice.onlineTrouble(o.message || o.state);
  });

  onState(st: VoiceStatusDTO): void {
    if (!st || typeof st.state !== 'string') return;
    // voice:state carries the session alone, or (when the online
    // recognizer's state changes) the App's whole status.
    if (typeof st.recognizer === 'string') {
      this.status = st;
    } else {
      this.status = { ...(this.status ?? { running: false, recognizer: 'not_loaded' }), ...st };
    }
    if (st.state === 'idle' && !st.in_speech && this.status.mode === 'push_to_talk') this.talking = false;
  }

  onHeard(out: VoiceOutcomeDTO): void {
    if (!out) return;
    this.heard = { ...out, at: this.now() };
  }

  /** line is what the voice strip says, or "" when there is nothing to say. */
  line(at = this.now(), heardMs = 6000): string {
    const h = this.heard;
    if (h && at - h.at < heardMs) {
      if (h.error) return `“${h.heard}” — ${h.error}`;
      if (h.ignored) return h.heard ? `“${h.heard}” — ignored (${h.ignored.replace(/_/g, ' ')})` : `ignored (${h.ignored.replace(/_/g, ' ')})`;
      return `“${h.heard}” — ${h.action || h.said}`;
    }
    return '';
  }
}
