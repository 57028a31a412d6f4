// context.ts: the stores and services every component reaches through
// Svelte context, created once in App.svelte.
import { getContext, setContext } from 'svelte';
import type { Api } from './api';
import type { AuditStore } from './stores/audit.svelte';
import type { Keymap } from './keymap';
import type { MetricsStore } from './stores/metrics.svelte';
import type { OutcomesStore } from './stores/outcomes.svelte';
import type { QueueStore } from './stores/queue.svelte';
import type { SettingsStore } from './stores/settings.svelte';
import type { SignalsStore } from './stores/signals.svelte';
import type { SyncStore } from './stores/sync.svelte';
import type { TranscriptionStore } from './stores/transcription.svelte';
import type { UiStore } from './stores/ui.svelte';
import type { VoiceStore } from './stores/voice.svelte';

export interface AppContext {
  api: Api;
  keymap: Keymap;
  queue: QueueStore;
  signals: SignalsStore;
  settings: SettingsStore;
  sync: SyncStore;
  audit: AuditStore;
  metrics: MetricsStore;
  voice: VoiceStore;
  /** The optional online recognizer's settings (the voice area's form). */
  transcription: TranscriptionStore;
  ui: UiStore;
  /** The outcomes of the carried-out move open in the detail, and the picker (o). */
  outcomes: OutcomesStore;
}

const key = Symbol('caseyos');

export function provide(ctx: AppContext): void {
  setContext(key, ctx);
}

export function app(): AppContext {
  return getContext<AppContext>(key);
}

/** contextFor is the context a component rendered on its own (in a test) reads app() from. */
export function contextFor(ctx: AppContext): Map<symbol, AppContext> {
  return new Map([[key, ctx]]);
}
