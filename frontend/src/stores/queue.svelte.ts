// queue.svelte.ts: Today's Moves — the list, the domain tab, the filter,
// which move has focus, and the actions on it. Skip, snooze and execute
// take the row away at once (the server call follows), so a key press is
// answered within a frame; a failure puts the row back and says why.
import type { Api, ApiError, ExecutionFinishedEvent, ExecutionQueuedEvent, ExecutionStatusDTO, KillSwitchDTO, MoveDTO, StatsDTO, UndoWindowEvent, Via, WorkspaceDTO } from '../api';
import { toApiError } from '../api';
import { s } from '../strings';
import { afterRemoval, keep, step } from './focus';

export const tabs = ['all', 'sales', 'marketing', 'cs'] as const;
export type Tab = (typeof tabs)[number];

export type QueueApi = Pick<Api, 'Today' | 'Stats' | 'Skip' | 'Snooze' | 'Undo' | 'PreviewExecution' | 'ExecuteMove' | 'CancelExecution' | 'KillSwitch'> &
  Partial<Pick<Api, 'Outbox' | 'RetryOutbox' | 'Rollback' | 'StopFollowUps'>>;

/** An outgoing action waiting out its undo window: z takes it back until deadline. */
export interface UndoWindow {
  moveId: number;
  executionId: number;
  /** epoch ms */
  deadline: number;
  seconds: number;
  title: string;
}

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** An action offered with the notice (Undo after a skip). */
  action?: { label: string; run: () => void };
}

/** The steps of "Show more": Today's limit 0 means the server's default. */
export const limitSteps = [0, 50, 200, 500];

/** matches says whether a move fits a search query (title or any reason). */
export function matches(m: MoveDTO, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  if (m.title.toLowerCase().includes(q)) return true;
  if (m.top_reason?.toLowerCase().includes(q)) return true;
  return (m.reasons ?? []).some((r) => r.toLowerCase().includes(q));
}

/** tabCounts: pending moves per tab, less the ones hidden optimistically. */
export function tabCounts(byDomain: Record<string, number>, hiddenDomains: string[]): Record<Tab, number> {
  const c: Record<Tab, number> = { all: 0, sales: 0, marketing: 0, cs: 0 };
  for (const [d, n] of Object.entries(byDomain ?? {})) {
    if (d in c) c[d as Tab] += n;
    c.all += n;
  }
  for (const d of hiddenDomains) {
    if (d in c && c[d as Tab] > 0) c[d as Tab]--;
    if (c.all > 0) c.all--;
  }
  return c;
}

/** notDuplicateReason is the skip reason the server reads as "not a duplicate" (backend.SkipNotDuplicate). */
export const notDuplicateReason = 'not a duplicate';

export class QueueStore {
  /** The moves of the current tab as the server ranked them (APS order). */
  moves = $state.raw<MoveDTO[]>([]);
  tab = $state<Tab>('all');
  byDomain = $state.raw<Record<string, number>>({});
  workspace = $state.raw<WorkspaceDTO | null>(null);
  stats = $state.raw<StatsDTO | null>(null);
  focusId = $state<number | null>(null);
  expanded = $state.raw<ReadonlySet<number>>(new Set());
  query = $state('');
  limitStep = $state(0);
  loading = $state(true);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);
  notices = $state.raw<Notice[]>([]);
  /** Sends waiting in their undo window, oldest first. */
  windows = $state.raw<UndoWindow[]>([]);
  /**
   * The last action this window carried out, while it is the newest thing
   * done here: z after it runs its compensating action (a reply on X is
   * deleted); an action with none (a sent email) leaves z to the last skip
   * or snooze, as before.
   */
  private lastDone: { moveId: number; title: string } | null = null;
  /** Executions waiting for their account (offline) or a send window, in order. */
  outbox = $state.raw<ExecutionStatusDTO[]>([]);
  /** The kill switch: on stops every outgoing action. null until known. */
  killSwitch = $state.raw<KillSwitchDTO | null>(null);
  /** Moves taken away optimistically: id → {domain, settled}. */
  private hidden = $state.raw<ReadonlyMap<number, { domain: string; settled: boolean }>>(new Map());

  private seq = 0;
  private noticeSeq = 0;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private focusAfterLoad: number | null = null;

  constructor(
    private api: QueueApi,
    private opts: { noticeMs?: number; coalesceMs?: number } = {},
  ) {}

  /** visible is what the list shows: not hidden, matching the filter. */
  visible = $derived.by(() => {
    const hidden = this.hidden;
    const q = this.query;
    return this.moves.filter((m) => !hidden.has(m.id) && matches(m, q));
  });

  visibleIds = $derived(this.visible.map((m) => m.id));

  focused = $derived(this.visible.find((m) => m.id === this.focusId) ?? null);

  counts = $derived.by(() => {
    const present = new Set(this.moves.map((m) => m.id));
    const hiddenDomains = [...this.hidden].filter(([id]) => present.has(id)).map(([, h]) => h.domain);
    return tabCounts(this.byDomain, hiddenDomains);
  });

  /** total is the pending count of the current tab. */
  total = $derived(this.counts[this.tab]);

  get limit(): number {
    return limitSteps[this.limitStep];
  }

  canShowMore = $derived(this.limitStep < limitSteps.length - 1 && this.moves.length < this.total);

  // ------------------------------------------------------------ loading

  /** load fetches Today for the current tab; only the newest answer counts. */
  async load(): Promise<void> {
    const my = ++this.seq;
    if (!this.loaded) this.loading = true;
    try {
      const today = await this.api.Today(this.tab === 'all' ? '' : this.tab, this.limit);
      if (my !== this.seq) return;
      this.apply(today.moves ?? [], today.by_domain ?? {});
      this.workspace = today.workspace ?? this.workspace;
      this.error = null;
      this.loaded = true;
    } catch (e) {
      if (my !== this.seq) return;
      this.error = toApiError(e);
    } finally {
      if (my === this.seq) this.loading = false;
    }
  }

  async loadStats(): Promise<void> {
    try {
      this.stats = await this.api.Stats();
    } catch {
      /* the header keeps its last figures; the list shows the error */
    }
  }

  /** refresh coalesces bursts of queue:changed into one load. */
  refresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.load();
      void this.loadStats();
    }, this.opts.coalesceMs ?? 30);
  }

  /** apply replaces the list, keeping focus on the same move (by id). */
  apply(moves: MoveDTO[], byDomain: Record<string, number>): void {
    const before = this.visibleIds;
    const present = new Set(moves.map((m) => m.id));
    // A settled optimistic removal is forgotten once the server agrees.
    let hidden = this.hidden;
    if ([...hidden].some(([id, h]) => h.settled && !present.has(id))) {
      hidden = new Map([...hidden].filter(([id, h]) => !(h.settled && !present.has(id))));
      this.hidden = hidden;
    }
    this.moves = moves;
    this.byDomain = byDomain;
    const after = this.visibleIds;
    if (this.focusAfterLoad !== null && after.includes(this.focusAfterLoad)) {
      this.focusId = this.focusAfterLoad;
      this.focusAfterLoad = null;
    } else {
      this.focusId = keep(before, after, this.focusId);
    }
  }

  // ------------------------------------------------------------ focus and view

  move(delta: number): void {
    this.focusId = step(this.visibleIds, this.focusId, delta);
  }

  focus(id: number): void {
    if (this.visibleIds.includes(id)) this.focusId = id;
  }

  setTab(tab: Tab): void {
    if (tab === this.tab) return;
    this.tab = tab;
    this.limitStep = 0;
    this.focusId = null;
    // Show the current moves of that domain at once; the load completes it.
    if (tab !== 'all') this.moves = this.moves.filter((m) => m.domain === tab);
    this.focusId = this.visibleIds[0] ?? null;
    void this.load();
  }

  setQuery(q: string): void {
    this.query = q;
    if (this.focusId === null || !this.visibleIds.includes(this.focusId)) this.focusId = this.visibleIds[0] ?? null;
  }

  toggleExpanded(id = this.focusId): void {
    if (id === null) return;
    const next = new Set(this.expanded);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    this.expanded = next;
  }

  showMore(): void {
    if (this.limitStep < limitSteps.length - 1) {
      this.limitStep++;
      void this.load();
    }
  }

  // ------------------------------------------------------------ actions

  private hide(m: MoveDTO): void {
    const ids = this.visibleIds;
    this.focusId = afterRemoval(ids, m.id, this.focusId);
    const next = new Map(this.hidden);
    next.set(m.id, { domain: m.domain, settled: false });
    this.hidden = next;
  }

  private unhide(id: number, refocus: boolean): void {
    const next = new Map(this.hidden);
    next.delete(id);
    this.hidden = next;
    if (refocus) this.focusId = id;
  }

  private settle(id: number): void {
    const h = this.hidden.get(id);
    if (!h) return;
    const next = new Map(this.hidden);
    next.set(id, { ...h, settled: true });
    this.hidden = next;
  }

  private target(id?: number): MoveDTO | null {
    const want = id ?? this.focusId;
    return this.moves.find((m) => m.id === want) ?? null;
  }

  /** act takes the move away now, then asks the server; a failure brings it back. */
  private async act(m: MoveDTO, call: () => Promise<unknown>, done: string): Promise<boolean> {
    this.hide(m);
    const movedTo = this.focusId;
    try {
      await call();
      this.settle(m.id);
      this.lastDone = null; // z now brings this back
      this.notify('info', done, { label: s.queue.undo, run: () => void this.undo('click') });
      this.refresh();
      return true;
    } catch (e) {
      const err = toApiError(e);
      // Give focus back only if the user has not moved on meanwhile.
      this.unhide(m.id, this.focusId === movedTo);
      this.notify('error', err.message);
      this.refresh();
      return false;
    }
  }

  skip(via: Via, id?: number): Promise<boolean> {
    const m = this.target(id);
    if (!m) return Promise.resolve(false);
    return this.act(m, () => this.api.Skip(m.id, '', via), s.queue.skipped(m.title));
  }

  /** canStopFollowUps: the move (the focused one without id) is a follow-up of an unanswered email. */
  canStopFollowUps(id?: number): boolean {
    return !!this.target(id)?.subject?.startsWith('follow_up:');
  }

  /**
   * stopFollowUps stops the follow-up sequence of a move (a follow-up, or the
   * email it follows up): nothing more is proposed and its open follow-up
   * ends; the audit log records who stopped it. The server says when the
   * move is in no sequence.
   */
  async stopFollowUps(via: Via, id?: number): Promise<boolean> {
    const moveID = id ?? this.focusId;
    if (moveID === null || !this.api.StopFollowUps) return false;
    try {
      const q = await this.api.StopFollowUps(moveID, via);
      this.notify('info', s.queue.followUpsStopped(q.subject));
      this.refresh();
      return true;
    } catch (e) {
      this.notify('error', toApiError(e).message);
      return false;
    }
  }

  /** canSayNotDuplicate: the focused move is a merge that "not a duplicate" can skip. */
  canSayNotDuplicate(id?: number): boolean {
    return this.target(id)?.kind === 'merge_contacts';
  }

  /**
   * notDuplicate skips a merge move saying its two contacts are two people:
   * the server remembers the pair and never proposes it again.
   */
  notDuplicate(via: Via, id?: number): Promise<boolean> {
    const m = this.target(id);
    if (!m || m.kind !== 'merge_contacts') return Promise.resolve(false);
    return this.act(m, () => this.api.Skip(m.id, notDuplicateReason, via), s.queue.notDuplicateDone(m.title));
  }

  snooze(until: string, phrase: string, via: Via, id?: number): Promise<boolean> {
    const m = this.target(id);
    if (!m) return Promise.resolve(false);
    return this.act(m, () => this.api.Snooze(m.id, until, via), s.queue.snoozed(m.title, phrase));
  }

  /**
   * execute carries the move out. A send waits in its undo window (z takes
   * it back) and leaves when the window passes; an action the account
   * cannot take now is queued; a guardrail's refusal comes back as an error
   * that says which one and why. hash is the preview's, when the detail
   * showed one: what executes is what was previewed. Without one (e from
   * the list) it previews first and executes that preview's hash, as the
   * tray and voice do, so every surface goes through one checked call.
   * allowTemplate sends a draft whose template holes the person saw and
   * chose to keep.
   */
  async execute(via: Via, id?: number, hash = '', allowTemplate = false): Promise<boolean> {
    const m = this.target(id);
    if (!m) return false;
    if (m.not_available) {
      // Nothing can carry it out: say why instead of trying.
      this.notify('error', m.not_available);
      return false;
    }
    this.hide(m);
    const movedTo = this.focusId;
    try {
      if (!hash) {
        const p = await this.api.PreviewExecution(m.id);
        const blocked = p.not_available || p.needs_account;
        if (blocked) throw { code: 'unavailable', message: blocked };
        hash = p.hash;
      }
      const ex = await this.api.ExecuteMove(m.id, { preview_hash: hash, via, allow_template: allowTemplate });
      switch (ex?.state) {
        case 'failed':
          throw { code: 'unavailable', message: ex.error || s.state.error };
        case 'undone':
          throw { code: 'conflict', message: ex.error || ex.result || s.queue.notSent(m.title) };
        case 'waiting_undo':
          this.openWindow(ex, m.title);
          break;
        case 'queued':
          this.notify('info', s.queue.queued(m.title, ex.queued_reason ?? ''));
          void this.loadOutbox();
          break;
        default:
          this.lastDone = { moveId: m.id, title: m.title };
          this.notify('info', s.queue.executed(m.title));
      }
      this.settle(m.id);
      this.refresh();
      return true;
    } catch (e) {
      this.unhide(m.id, this.focusId === movedTo);
      this.notify('error', toApiError(e).message);
      this.refresh();
      return false;
    }
  }

  private openWindow(ex: Pick<ExecutionStatusDTO, 'move_id' | 'execution_id' | 'undo_deadline' | 'undo_seconds'>, title: string): void {
    const deadline = ex.undo_deadline ? Date.parse(ex.undo_deadline) : NaN;
    if (!Number.isFinite(deadline)) return;
    const w: UndoWindow = { moveId: ex.move_id, executionId: ex.execution_id, deadline, seconds: ex.undo_seconds ?? 0, title };
    this.windows = [...this.windows.filter((x) => x.moveId !== w.moveId), w];
  }

  private closeWindow(moveId: number): UndoWindow | undefined {
    const w = this.windows.find((x) => x.moveId === moveId);
    if (w) this.windows = this.windows.filter((x) => x.moveId !== moveId);
    return w;
  }

  /** onUndoWindow shows a window opened anywhere (another window, the tray, voice). */
  onUndoWindow(ev: UndoWindowEvent): void {
    if (!ev || typeof ev.move_id !== 'number') return;
    const title = this.windows.find((w) => w.moveId === ev.move_id)?.title ?? this.moves.find((m) => m.id === ev.move_id)?.title ?? ev.summary;
    this.openWindow({ move_id: ev.move_id, execution_id: ev.execution_id, undo_deadline: ev.deadline, undo_seconds: ev.seconds }, title);
  }

  /** onFinished closes the move's window and says how it ended. */
  onFinished(ev: ExecutionFinishedEvent): void {
    if (!ev || typeof ev.move_id !== 'number') return;
    const w = this.closeWindow(ev.move_id);
    const title = w?.title ?? this.moves.find((m) => m.id === ev.move_id)?.title ?? ev.result ?? '';
    if (ev.state === 'committed' && w) {
      this.lastDone = { moveId: ev.move_id, title };
      this.notify('info', s.queue.sent(title));
    }
    else if (ev.state === 'failed') this.notify('error', ev.error || s.queue.failed(title));
    this.refresh();
    if (this.outbox.some((x) => x.move_id === ev.move_id)) void this.loadOutbox();
    void this.loadStats();
  }

  onQueued(ev: ExecutionQueuedEvent): void {
    if (!ev || typeof ev.move_id !== 'number') return;
    const w = this.closeWindow(ev.move_id);
    if (w) this.notify('info', s.queue.queued(w.title, ev.reason));
    this.refresh();
    void this.loadOutbox();
  }

  /** cancel takes back a send still in its undo window (the newest, else moveId's). */
  async cancel(via: Via, moveId?: number): Promise<boolean> {
    const w = moveId !== undefined ? this.windows.find((x) => x.moveId === moveId) : this.windows.at(-1);
    if (!w) return false;
    try {
      await this.api.CancelExecution(w.moveId, via);
      this.closeWindow(w.moveId);
      this.unhide(w.moveId, true);
      this.focusAfterLoad = w.moveId;
      this.notify('info', s.queue.cancelled(w.title));
      await this.load();
      return true;
    } catch (e) {
      // Too late (it is on the wire) or already gone: say so, keep nothing open.
      this.closeWindow(w.moveId);
      this.notify('error', toApiError(e).message);
      this.refresh();
      return false;
    }
  }

  // ------------------------------------------------------------ outbox

  async loadOutbox(): Promise<void> {
    if (!this.api.Outbox) return;
    try {
      this.outbox = await this.api.Outbox();
    } catch {
      /* shown again on the next change */
    }
  }

  async retryOutbox(): Promise<void> {
    if (!this.api.RetryOutbox) return;
    try {
      this.outbox = await this.api.RetryOutbox();
    } catch (e) {
      this.notify('error', toApiError(e).message);
    }
  }

  // ------------------------------------------------------------ kill switch

  async loadKillSwitch(): Promise<void> {
    try {
      this.killSwitch = await this.api.KillSwitch('status', '', 'click');
    } catch {
      /* an older server without it: nothing to show */
    }
  }

  onKillSwitch(ev: KillSwitchDTO): void {
    if (!ev || typeof ev.on !== 'boolean') return;
    this.killSwitch = ev;
    for (const id of ev.cancelled_move_ids ?? []) this.closeWindow(id);
    this.refresh();
  }

  async setKillSwitch(on: boolean, via: Via, reason = ''): Promise<boolean> {
    try {
      const ks = await this.api.KillSwitch(on ? 'on' : 'off', reason, via);
      this.onKillSwitch(ks);
      this.notify('info', on ? s.queue.killOn((ks.cancelled_move_ids ?? []).length) : s.queue.killOff);
      return true;
    } catch (e) {
      this.notify('error', toApiError(e).message);
      return false;
    }
  }

  /**
   * undo takes back the newest send still in its undo window; else rolls
   * back the last action carried out here, when it has a compensating
   * action (deleting a reply on X); else brings back the last skip or
   * snooze.
   */
  async undo(via: Via): Promise<boolean> {
    if (this.windows.length > 0) return this.cancel(via);
    const done = this.lastDone;
    if (done && this.api.Rollback) {
      this.lastDone = null;
      try {
        await this.api.Rollback(done.moveId, via);
        this.notify('info', s.queue.rolledBack(done.title));
        this.refresh();
        void this.loadStats();
        return true;
      } catch (e) {
        // No compensating action (a sent email cannot be unsent): z goes
        // on to the last skip or snooze. Anything else is said.
        const err = toApiError(e);
        if (err.code !== 'conflict') {
          this.notify('error', err.message);
          return false;
        }
      }
    }
    try {
      const m = await this.api.Undo(via);
      if (m && typeof m.id === 'number') {
        this.unhide(m.id, false);
        this.focusAfterLoad = m.id;
        this.notify('info', s.queue.restored(m.title));
      }
      await this.load();
      void this.loadStats();
      return true;
    } catch (e) {
      const err = toApiError(e);
      this.notify('info', err.code === 'not_found' ? s.queue.nothingToUndo : err.message);
      return false;
    }
  }

  // ------------------------------------------------------------ notices

  notify(kind: Notice['kind'], text: string, action?: Notice['action']): void {
    const n: Notice = { id: ++this.noticeSeq, kind, text, action };
    // One notice of each kind at a time: a new one replaces the last.
    this.notices = [...this.notices.filter((x) => x.kind !== kind), n];
    const ms = this.opts.noticeMs ?? (kind === 'error' ? 8000 : 5000);
    if (ms > 0) setTimeout(() => this.dismiss(n.id), ms);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }
}
