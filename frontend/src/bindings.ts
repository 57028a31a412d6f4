// bindings.ts: every action of the UI, registered once in the keymap. The
// help overlay and the command palette read this list; buttons call the
// same actions through keymap.run(id) or the stores directly.
import type { AppContext } from './context';
import type { Binding } from './keymap';
import { tabs } from './stores/queue.svelte';
import { s } from './strings';

export interface BindingHooks {
  /** Puts the cursor in the search field. */
  focusSearch(): void;
  /** Blurs whatever field has focus; returns whether one had. */
  blurField(): boolean;
}

export function actionBindings(ctx: AppContext, hooks: BindingHooks): Binding[] {
  const { queue, ui, keymap } = ctx;
  const onList = () => ui.idle && ui.view === 'today';
  const hasFocus = () => onList() && queue.focusId !== null;
  const openPalette = () => {
    if (ui.overlay === 'palette') {
      ui.overlay = 'none';
      return;
    }
    // What can run now, read before the palette itself is an overlay.
    ui.overlay = 'none';
    ui.paletteActions = keymap.actions();
    ui.overlay = 'palette';
  };
  const tabLabels = [s.actions.tabAll, s.actions.tabSales, s.actions.tabMarketing, s.actions.tabCS];

  const b: Binding[] = [
    { id: 'queue.next', keys: ['j', 'ArrowDown'], label: s.actions.next, group: s.groups.moves, when: onList, run: () => (ui.detailId = null, queue.move(1)) },
    { id: 'queue.prev', keys: ['k', 'ArrowUp'], label: s.actions.prev, group: s.groups.moves, when: onList, run: () => (ui.detailId = null, queue.move(-1)) },
    { id: 'queue.open', keys: ['Enter'], label: s.actions.open, group: s.groups.moves, when: hasFocus, run: () => ui.openDetail(null) },
    { id: 'queue.expand', keys: ['space'], label: s.actions.expand, group: s.groups.moves, when: hasFocus, run: () => queue.toggleExpanded() },
    { id: 'queue.execute', keys: ['e'], label: s.actions.execute, group: s.groups.moves, when: () => hasFocus() || (ui.idle && ui.detailOpen && ui.detailId !== null), run: () => void queue.execute('key', ui.detailId ?? undefined).then(() => (ui.detailId = null)) },
    { id: 'queue.skip', keys: ['s'], label: s.actions.skip, group: s.groups.moves, when: hasFocus, run: () => void queue.skip('key') },
    { id: 'queue.notDuplicate', keys: ['n'], label: s.actions.notDuplicate, group: s.groups.moves, when: () => hasFocus() && queue.canSayNotDuplicate(), run: () => void queue.notDuplicate('key') },
    {
      id: 'queue.stopFollowUps',
      keys: ['shift+s'],
      label: s.actions.stopFollowUps,
      group: s.groups.moves,
      when: () => (hasFocus() && queue.canStopFollowUps()) || (ui.idle && ui.detailOpen && ui.detailId !== null),
      run: () => void queue.stopFollowUps('key', ui.detailId ?? undefined),
    },
    { id: 'queue.snooze', keys: ['h'], label: s.actions.snooze, group: s.groups.moves, when: hasFocus, run: () => (ui.overlay = 'snooze') },
    { id: 'queue.undo', keys: ['z'], label: s.actions.undo, group: s.groups.moves, when: () => ui.idle, run: () => void queue.undo('key').then((ok) => ok && ui.go('today')) },
    ...tabs.map((t, i) => ({
      id: `tab.${t}`,
      keys: [String(i + 1)],
      label: tabLabels[i],
      group: s.groups.moves,
      when: () => ui.idle,
      run: () => {
        ui.go('today');
        queue.setTab(t);
      },
    })),
    {
      id: 'outcome.record',
      keys: ['o'],
      label: s.actions.recordOutcome,
      group: s.groups.moves,
      when: () => ui.idle && ui.detailOpen && ctx.outcomes.moveId !== null,
      run: () => (ctx.outcomes.openPicker(), (ui.overlay = 'outcome')),
    },
    { id: 'queue.search', keys: ['/'], label: s.actions.search, group: s.groups.moves, when: () => ui.idle, run: () => (ui.go('today'), (ui.searchOpen = true), hooks.focusSearch()) },
    { id: 'queue.more', keys: [], label: s.actions.more, group: s.groups.moves, when: () => onList() && queue.canShowMore, run: () => queue.showMore() },

    ...s.snooze.options.map((o) => ({
      id: `snooze.${o.until}`,
      keys: [o.key],
      label: s.actions.snoozeOption(o.label),
      group: s.groups.snooze,
      palette: false,
      when: () => ui.overlay === 'snooze',
      run: () => {
        ui.overlay = 'none';
        void queue.snooze(o.until, o.phrase, 'key');
      },
    })),

    // The outcome picker's own keys (Enter in its fields submits the form).
    { id: 'outcome.next', keys: ['ArrowDown'], label: s.actions.outcomeNext, group: s.groups.outcome, palette: false, inInput: true, when: () => ui.overlay === 'outcome', run: () => ctx.outcomes.step(1) },
    { id: 'outcome.prev', keys: ['ArrowUp'], label: s.actions.outcomePrev, group: s.groups.outcome, palette: false, inInput: true, when: () => ui.overlay === 'outcome', run: () => ctx.outcomes.step(-1) },
    {
      id: 'outcome.save',
      keys: ['Enter'],
      label: s.actions.outcomeSave,
      group: s.groups.outcome,
      palette: false,
      inInput: true,
      when: () => ui.overlay === 'outcome' && !ctx.outcomes.busy,
      run: () => void ctx.outcomes.record('key').then((o) => o && (ui.overlay = 'none')),
    },

    { id: 'view.today', keys: [], label: s.actions.viewToday, group: s.groups.views, run: () => ui.go('today') },
    { id: 'view.signals', keys: [], label: s.actions.viewSignals, group: s.groups.views, run: () => ui.go('signals') },
    { id: 'view.settings', keys: [], label: s.actions.viewSettings, group: s.groups.views, run: () => ui.go('settings') },
    { id: 'view.connections', keys: [], label: s.actions.viewConnections, group: s.groups.views, run: () => ui.go('connections') },
    { id: 'view.audit', keys: [], label: s.actions.viewAudit, group: s.groups.views, run: () => ui.go('audit') },
    { id: 'view.metrics', keys: ['m'], label: s.actions.viewMetrics, group: s.groups.views, when: () => ui.idle, run: () => ui.go('metrics') },

    { id: 'app.palette', keys: ['mod+k'], label: s.actions.palette, group: s.groups.general, palette: false, run: openPalette },
    { id: 'app.help', keys: ['?'], label: s.actions.help, group: s.groups.general, when: () => ui.overlay === 'none' || ui.overlay === 'help', run: () => (ui.overlay = ui.overlay === 'help' ? 'none' : 'help') },
    { id: 'app.theme', keys: [], label: s.actions.toggleTheme, group: s.groups.general, run: () => ui.toggleTheme() },
    { id: 'app.systemTheme', keys: [], label: s.actions.systemTheme, group: s.groups.general, run: () => ui.setTheme(null) },
    { id: 'voice.talk', keys: ['v'], label: s.actions.talk, group: s.groups.moves, when: () => ui.idle && ctx.voice.available, run: () => void ctx.voice.talk(queue.focusId) },
    { id: 'voice.toggle', keys: [], label: s.actions.voiceToggle, group: s.groups.general, when: () => ctx.voice.available, run: () => void ctx.voice.toggle() },
    {
      id: 'app.killSwitch',
      keys: [],
      label: s.actions.killSwitch,
      group: s.groups.general,
      run: () => void queue.setKillSwitch(!queue.killSwitch?.on, 'key'),
    },
    { id: 'app.refresh', keys: [], label: s.actions.refresh, group: s.groups.general, run: () => reloadAll(ctx) },
    {
      id: 'app.escape',
      keys: ['Escape'],
      label: s.actions.escape,
      group: s.groups.general,
      inInput: true,
      palette: false,
      run: () => {
        if (ui.overlay !== 'none') ui.overlay = 'none';
        else if (hooks.blurField()) {
          /* left the field */
        } else if (ui.detailOpen) ui.closeDetail();
        else if (queue.query) {
          queue.setQuery('');
          ui.searchOpen = false;
        } else if (ui.searchOpen) ui.searchOpen = false;
        else if (queue.expanded.size) queue.expanded = new Set();
        else if (ui.view !== 'today') ui.go('today');
      },
    },
  ];
  return b;
}

/** reloadAll refreshes every area (after the event stream came back). */
export function reloadAll(ctx: AppContext): void {
  void ctx.queue.load();
  void ctx.queue.loadStats();
  if (ctx.signals.loaded) void ctx.signals.load();
  if (ctx.sync.loaded) void ctx.sync.load();
  if (ctx.metrics.loaded) void ctx.metrics.load();
}
