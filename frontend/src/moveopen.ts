// moveopen.ts: the desktop shell's `move:open {id}` (a global shortcut, a
// notification's "Open", the tray's next move) opens that move's preview
// in the detail pane. It only ever shows: executing stays a deliberate
// key or click in the window. id 0 means "just show the window", which
// the shell has already done.
import type { Api } from './api';
import type { QueueStore } from './stores/queue.svelte';
import type { UiStore } from './stores/ui.svelte';

/** MoveOpenEvent is the payload of move:open. */
export interface MoveOpenEvent {
  id: number;
}

export interface MoveOpenTargets {
  queue: Pick<QueueStore, 'focus'>;
  ui: Pick<UiStore, 'go' | 'openDetail' | 'overlay' | 'view'>;
}

/** openMove shows move id's preview; anything but a positive integer id does nothing. */
export function openMove(t: MoveOpenTargets, ev: unknown): boolean {
  const id = (ev as Partial<MoveOpenEvent> | null)?.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return false;
  // Close whatever overlay was open (the palette, the snooze chooser): the
  // person asked for this move, from outside the window.
  t.ui.go('today');
  t.queue.focus(id);
  t.ui.openDetail(id);
  return true;
}

/** listenMoveOpen subscribes to move:open and returns the unsubscribe. */
export function listenMoveOpen(api: Pick<Api, 'on'>, t: MoveOpenTargets): () => void {
  return api.on('move:open', (ev) => void openMove(t, ev));
}
