// ui.svelte.ts: which view and overlay are showing, the theme, and whether
// CaseyOS is reachable.
import type { Status } from '../api';

export type View = 'today' | 'signals' | 'settings' | 'connections' | 'audit' | 'metrics';
export type Overlay = 'none' | 'help' | 'palette' | 'snooze' | 'outcome';
export type Theme = 'dark' | 'light';

const themeKey = 'caseyos.theme';

interface ThemeEnv {
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  prefersDark?: () => boolean;
}

export class UiStore {
  view = $state<View>('today');
  overlay = $state<Overlay>('none');
  /** The detail panel is open; it shows detailId, else the focused move. */
  detailOpen = $state(false);
  detailId = $state<number | null>(null);
  searchOpen = $state(false);
  status = $state<Status>('online');
  /** The actions the command palette offers, read when it opened. */
  paletteActions = $state.raw<{ id: string; label: string; group: string; keys: string[] }[]>([]);
  /** The saved choice; null follows the system. */
  theme = $state<Theme | null>(null);
  systemDark = $state(true);

  constructor(private env: ThemeEnv = {}) {
    const saved = env.storage?.getItem(themeKey);
    this.theme = saved === 'dark' || saved === 'light' ? saved : null;
    this.systemDark = env.prefersDark?.() ?? true;
  }

  effectiveTheme = $derived<Theme>(this.theme ?? (this.systemDark ? 'dark' : 'light'));

  idle = $derived(this.overlay === 'none');

  toggleTheme(): void {
    this.setTheme(this.effectiveTheme === 'dark' ? 'light' : 'dark');
  }

  setTheme(t: Theme | null): void {
    this.theme = t;
    if (t) this.env.storage?.setItem(themeKey, t);
    else this.env.storage?.removeItem(themeKey);
  }

  go(view: View): void {
    this.view = view;
    this.overlay = 'none';
    if (view !== 'today') this.detailOpen = false;
  }

  openDetail(id: number | null = null): void {
    this.view = 'today';
    this.detailId = id;
    this.detailOpen = true;
  }

  closeDetail(): void {
    this.detailOpen = false;
    this.detailId = null;
  }
}
