// context.ts: the stores and services every component reaches through
// Svelte context, created once in App.svelte.
import { getContext, setContext } from 'svelte';
import type { Api } from './api';
import type { AuditStore } from './stores/audit.svelte';
import type { Keymap } from './keymap';
import type { QueueStore } from './stores/queue.svelte';
import type { SettingsStore } from './stores/settings.svelte';
import type { SignalsStore } from './stores/signals.svelte';
import type { SyncStore } from './stores/sync.svelte';
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
  voice: VoiceStore;
  ui: UiStore;
}

const key = Symbol('caseyos');

export function provide(ctx: AppContext): void {
  setContext(key, ctx);
}

export function app(): AppContext {
  return getContext<AppContext>(key);
}
