// api.ts is the only module that knows how the UI talks to CaseyOS: Wails
// bindings in the desktop window (one bound service per UI area,
// window.go.app.<Service>.<Method>), JSON over HTTP with a per-launch token
// in browser mode (`caseyos serve`, POST /api/<Service>.<Method>). Every failure, whatever
// the transport, becomes an ApiError {code, message}. The method list and
// the DTO shapes follow docs/api.md and docs/cli.md.

// ---------------------------------------------------------------- DTOs

// The DTOs and the bound methods' signatures are generated from the Go
// types (app/internal/tsgen, `go generate ./app/...`): edit the Go side,
// never api.gen.ts. A Go test fails when api.gen.ts is stale.
import type {
  BoundMethods,
  AuditCheckDTO,
  AuditDTO,
  AuditEntryDTO,
  AuditLogDTO,
  ComponentDTO,
  ConnectionDTO,
  DoNotContactDTO,
  DraftDTO,
  ExecuteRequestDTO,
  ExecutionFinished,
  ExecutionPreviewDTO,
  ExecutionQueued,
  ExecutionStatusDTO,
  ExplainDTO,
  ICPRuleDTO,
  KillSwitchDTO,
  LanguageModelDTO,
  MetricsDTO,
  MoveDTO,
  OnlineRecognizerDTO,
  Plan,
  QueueChanged,
  RefusalDTO,
  RuleDTO,
  ScoreDTO,
  SendWindowDTO,
  SequenceDTO,
  SettingsDTO,
  SignalDTO,
  SignalsDTO,
  SimulatedMoveDTO,
  SimulationDTO,
  StartAtLoginDTO,
  ShortcutDTO,
  ShortcutsDTO,
  OutcomeDTO,
  OutcomeTypeDTO,
  StatsDTO,
  SyncStatusDTO,
  TemplateHoleDTO,
  TodayDTO,
  TranscriptionDTO,
  UndoWindow,
  VoiceOutcome,
  VoiceStatusDTO,
  WeightsDTO,
  WorkspaceDTO,
} from './api.gen';
export type * from './api.gen';

export type Domain = 'sales' | 'marketing' | 'cs';
export type Via = 'key' | 'click' | 'voice';
export type DoNotContactReason = 'bounced' | 'unsubscribed' | 'manual';
export type ConnectionState = 'not_connected' | 'connected' | 'reconnect' | 'offline' | 'coming_soon';

export type Weights = WeightsDTO;
export type ICPRule = ICPRuleDTO;

// ---------------------------------------------------------------- events

export type QueueChangedEvent = QueueChanged;
/** sync:status — connected, running, offline, error, reconnect (not_connected after a disconnect). */
export type SyncStatusEvent = SyncStatusDTO;
/** execution:undo_window — an outgoing action waits; z cancels it until deadline. */
export type UndoWindowEvent = UndoWindow;
/** execution:finished — committed, failed or undone. */
export type ExecutionFinishedEvent = ExecutionFinished;
/** execution:queued — offline (retried in order) or held for a send window. */
export type ExecutionQueuedEvent = ExecutionQueued;
/** voice:heard — what one utterance did, or why it did nothing. */
export type VoiceOutcomeDTO = VoiceOutcome;

export interface EventMap {
  'queue:changed': QueueChangedEvent;
  'sync:status': SyncStatusEvent;
  'execution:undo_window': UndoWindowEvent;
  'execution:finished': ExecutionFinishedEvent;
  'execution:queued': ExecutionQueuedEvent;
  'execution:kill_switch': KillSwitchDTO;
  'voice:state': VoiceStatusDTO;
  'voice:heard': VoiceOutcomeDTO;
  /** Desktop only: open this move's preview (a global shortcut, a notification, the tray). */
  'move:open': { id: number };
  /** Synthetic: the event stream came back after a break — reload everything. */
  'api:reload': Record<string, never>;
}
export type EventName = keyof EventMap;

/** The server-sent event names the UI listens to. */
export const serverEvents: EventName[] = [
  'queue:changed',
  'sync:status',
  'execution:undo_window',
  'execution:finished',
  'execution:queued',
  'execution:kill_switch',
  'voice:state',
  'voice:heard',
];

// ---------------------------------------------------------------- errors

export type ErrorCode = 'invalid' | 'not_found' | 'conflict' | 'unauthorized' | 'unavailable' | 'internal';

/** ApiError is how every failure reaches the UI. */
export interface ApiError {
  code: ErrorCode | string;
  message: string;
}

export const unreachable: ApiError = { code: 'unavailable', message: 'CaseyOS is not reachable' };

const codeByStatus: Record<number, ErrorCode> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  503: 'unavailable',
};

export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && typeof (e as ApiError).code === 'string' && typeof (e as ApiError).message === 'string';
}

/** toApiError turns anything thrown or rejected into {code, message}. */
export function toApiError(e: unknown, status?: number): ApiError {
  if (isApiError(e)) return { code: e.code, message: e.message };
  if (typeof e === 'string') {
    try {
      const parsed = JSON.parse(e);
      if (isApiError(parsed)) return { code: parsed.code, message: parsed.message };
    } catch {
      /* a plain message */
    }
    return { code: status ? (codeByStatus[status] ?? 'internal') : 'internal', message: e };
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: 'Something went wrong' };
}

// ---------------------------------------------------------------- transports

/** Online is whether the transport last reached CaseyOS. */
export type Status = 'online' | 'offline';

export interface Transport {
  readonly kind: 'wails' | 'http';
  call<T>(method: string, args: unknown[]): Promise<T>;
  on(name: string, cb: (data: unknown) => void): () => void;
  onStatus(cb: (s: Status) => void): () => void;
}

type Listener = (data: unknown) => void;

class Emitter {
  private map = new Map<string, Set<Listener>>();
  on(name: string, cb: Listener): () => void {
    let set = this.map.get(name);
    if (!set) this.map.set(name, (set = new Set()));
    set.add(cb);
    return () => set!.delete(cb);
  }
  emit(name: string, data: unknown) {
    for (const cb of [...(this.map.get(name) ?? [])]) cb(data);
  }
}

interface WailsRuntime {
  EventsOn(name: string, cb: (...data: unknown[]) => void): () => void;
}
type WailsService = Record<string, (...args: unknown[]) => Promise<unknown>>;
/** WailsApp is window.go.app: the bound services by name. */
type WailsApp = Record<string, WailsService | undefined>;

/** createWailsTransport calls the bound services of the desktop window; method is "<Service>.<Method>". */
export function createWailsTransport(app: WailsApp, runtime?: WailsRuntime): Transport {
  const status = new Emitter();
  return {
    kind: 'wails',
    async call<T>(method: string, args: unknown[]): Promise<T> {
      const [service, name] = method.split('.', 2);
      const fn = name ? app[service]?.[name] : undefined;
      if (typeof fn !== 'function') throw { code: 'not_found', message: `unknown method ${method}` } satisfies ApiError;
      try {
        return (await fn(...args)) as T;
      } catch (e) {
        throw toApiError(e);
      }
    },
    on(name, cb) {
      if (!runtime) return () => {};
      const off = runtime.EventsOn(name, (data) => cb(data));
      return typeof off === 'function' ? off : () => {};
    },
    onStatus(cb) {
      return status.on('status', cb as Listener);
    },
  };
}

export interface HttpDeps {
  fetch: typeof fetch;
  /** The page URL, to read ?token= from on first load. */
  location: { href: string };
  /** Strips the token from the address bar. */
  replaceUrl?: (url: string) => void;
  storage?: Pick<Storage, 'getItem' | 'setItem'>;
  EventSource?: new (url: string) => EventSourceLike;
  /** Base URL of the API, default '' (same origin). */
  base?: string;
}

export interface EventSourceLike {
  onopen: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  addEventListener(name: string, cb: (ev: { data: string }) => void): void;
  close(): void;
}

const tokenKey = 'caseyos.token';

/** takeToken reads ?token= from the URL (once), strips it, and keeps it in session storage. */
export function takeToken(deps: Pick<HttpDeps, 'location' | 'replaceUrl' | 'storage'>): string {
  const url = new URL(deps.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    deps.storage?.setItem(tokenKey, fromUrl);
    url.searchParams.delete('token');
    deps.replaceUrl?.(url.pathname + (url.search === '?' ? '' : url.search) + url.hash);
    return fromUrl;
  }
  return deps.storage?.getItem(tokenKey) ?? '';
}

/** createHttpTransport talks to `caseyos serve`: POST /api/<Service>.<Method>, SSE on /api/events. */
export function createHttpTransport(deps: HttpDeps): Transport {
  const token = takeToken(deps);
  const base = deps.base ?? '';
  const events = new Emitter();
  const status = new Emitter();
  let current: Status = 'online';
  const setStatus = (s: Status) => {
    if (s === current) return;
    current = s;
    status.emit('status', s);
  };

  let source: EventSourceLike | null = null;
  const ensureSource = () => {
    // Without a token the stream would only be refused, again and again.
    if (source || !deps.EventSource || !token) return;
    const es = new deps.EventSource(`${base}/api/events?token=${encodeURIComponent(token)}`);
    source = es;
    let broken = false;
    es.onopen = () => {
      setStatus('online');
      if (broken) {
        broken = false;
        events.emit('api:reload', {});
      }
    };
    es.onerror = () => {
      broken = true;
      setStatus('offline');
    };
    for (const name of serverEvents) {
      es.addEventListener(name, (ev) => {
        let data: unknown = null;
        try {
          data = ev.data ? JSON.parse(ev.data) : null;
        } catch {
          data = ev.data;
        }
        events.emit(name, data);
      });
    }
  };

  return {
    kind: 'http',
    async call<T>(method: string, args: unknown[]): Promise<T> {
      let res: Response;
      try {
        res = await deps.fetch(`${base}/api/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(args),
        });
      } catch {
        setStatus('offline');
        throw { ...unreachable };
      }
      setStatus('online');
      let text = '';
      try {
        text = await res.text();
      } catch {
        throw { ...unreachable };
      }
      if (!res.ok) {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        if (isApiError(body)) throw { code: body.code, message: body.message } satisfies ApiError;
        throw {
          code: codeByStatus[res.status] ?? 'internal',
          message: (typeof body === 'string' && body.trim()) || `${method} failed (HTTP ${res.status})`,
        } satisfies ApiError;
      }
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw { code: 'internal', message: `${method} returned something that is not JSON` } satisfies ApiError;
      }
    },
    on(name, cb) {
      ensureSource();
      return events.on(name, cb);
    },
    onStatus(cb) {
      return status.on('status', cb as Listener);
    },
  };
}

/** ShellCall is the desktop window's one bound method, Shell.Call: it forwards "<Service>.<Method>" and its arguments to the app process. */
export type ShellCall = (method: string, args: unknown[]) => Promise<unknown>;

/** shellApp presents Shell.Call as the bound services, so the window's calls go through the Wails transport unchanged. */
export function shellApp(call: ShellCall): WailsApp {
  const services = new Map<string, WailsService>();
  return new Proxy({} as WailsApp, {
    get(_, service) {
      if (typeof service !== 'string') return undefined;
      let svc = services.get(service);
      if (!svc) {
        svc = new Proxy({} as WailsService, {
          get: (_t, name) => (typeof name === 'string' ? (...args: unknown[]) => call(`${service}.${name}`, args) : undefined),
        });
        services.set(service, svc);
      }
      return svc;
    },
  });
}

declare global {
  interface Window {
    go?: { app?: WailsApp & { Shell?: { Call?: ShellCall } } };
    runtime?: WailsRuntime;
  }
}

/** detectTransport picks the desktop window's Shell, then Wails bindings when they exist, else HTTP. */
export function detectTransport(): Transport {
  const w = typeof window !== 'undefined' ? window : undefined;
  const wails = w?.go?.app;
  const shell = wails?.Shell?.Call;
  if (typeof shell === 'function') return createWailsTransport(shellApp(shell), w?.runtime);
  if (wails) return createWailsTransport(wails, w?.runtime);
  return createHttpTransport({
    fetch: (...a) => fetch(...a),
    location: w ? w.location : { href: 'http://127.0.0.1/' },
    replaceUrl: (url) => w?.history.replaceState(w.history.state, '', url),
    storage: w?.sessionStorage,
    EventSource: typeof EventSource !== 'undefined' ? (EventSource as unknown as HttpDeps['EventSource']) : undefined,
  });
}

// ---------------------------------------------------------------- the API

/** Api is every method of docs/api.md, typed (each one a method of a bound service). */
export interface Api {
  readonly transport: Transport;
  Workspace(): Promise<WorkspaceDTO>;
  Today(domain: string, limit: number): Promise<TodayDTO>;
  Move(id: number): Promise<MoveDTO>;
  Explain(id: number): Promise<ExplainDTO>;
  UpdateDraft(id: number, draft: DraftDTO): Promise<MoveDTO>;
  Skip(id: number, reason: string, via: Via): Promise<MoveDTO>;
  Snooze(id: number, until: string, via: Via): Promise<MoveDTO>;
  Undo(via: Via): Promise<MoveDTO>;
  FollowUps(id: number): Promise<SequenceDTO>;
  StopFollowUps(id: number, via: Via): Promise<SequenceDTO>;
  Signals(limit: number, offset: number): Promise<SignalsDTO>;
  Stats(): Promise<StatsDTO>;
  Settings(): Promise<SettingsDTO>;
  SaveSettings(s: SettingsDTO): Promise<SettingsDTO>;
  Connections(): Promise<ConnectionDTO[]>;
  /** SyncNow kicks one account's sync ("" = every account) and returns their status. */
  SyncNow(account: string): Promise<SyncStatusEvent[]>;
  PreviewExecution(id: number): Promise<ExecutionPreviewDTO>;
  /**
   * ExecuteMove runs what the preview with req.preview_hash showed ("" = unchecked); allow_template
   * sends a draft with template holes as it is.
   */
  ExecuteMove(id: number, req: ExecuteRequestDTO): Promise<ExecutionStatusDTO>;
  /** CancelExecution takes back a move's execution while it waits in its undo window. */
  CancelExecution(id: number, via: Via): Promise<ExecutionStatusDTO>;
  /** Rollback runs the compensating action of a committed execution, or says why none exists. */
  Rollback(id: number, via: Via): Promise<ExecutionStatusDTO>;
  KillSwitch(state: 'on' | 'off' | 'status', reason: string, via: Via): Promise<KillSwitchDTO>;
  AuditLog(offset: number, limit: number): Promise<AuditLogDTO>;
  VerifyAudit(): Promise<AuditCheckDTO>;
  SendWindow(): Promise<SendWindowDTO>;
  /** Outbox: executions waiting for their account or the recipient's send window, in the order they will leave. */
  Outbox(): Promise<ExecutionStatusDTO[]>;
  RetryOutbox(): Promise<ExecutionStatusDTO[]>;
  Rules(): Promise<RuleDTO[]>;
  SaveRule(r: RuleDTO): Promise<RuleDTO>;
  /** SimulateRule: what the rule would have executed over the last days (0 = 7); nothing runs. */
  SimulateRule(r: RuleDTO, days: number): Promise<SimulationDTO>;
  /** DoNotContact: the addresses nothing may be sent to (bounces and unsubscribes join by themselves). */
  DoNotContact(): Promise<DoNotContactDTO[]>;
  /** Metrics: what the moves carried out achieved, per week (oldest first) and kind; weeks 0 = 8. */
  Metrics(weeks: number): Promise<MetricsDTO>;
  /** AddDoNotContact puts an address on the list (reason "" = manual) and returns the list. */
  AddDoNotContact(email: string, reason: DoNotContactReason | '', note: string, via: Via): Promise<DoNotContactDTO[]>;
  /** RemoveDoNotContact takes an address off the list and returns the list. */
  RemoveDoNotContact(email: string, via: Via): Promise<DoNotContactDTO[]>;
  /** ResetLearning forgets the learned statistics from now on (outcomes are kept), audited; returns the settings. */
  ResetLearning(via: Via): Promise<SettingsDTO>;
  VoiceStatus(): Promise<VoiceStatusDTO>;
  /** VoiceStart opens the microphone ("" = the default one) in a mode. */
  VoiceStart(mode: string, device: string): Promise<VoiceStatusDTO>;
  VoiceStop(): Promise<VoiceStatusDTO>;
  /** VoicePushToTalk: the talk key went down or up, with the focused move (0 = none). */
  VoicePushToTalk(down: boolean, moveId: number): Promise<VoiceStatusDTO>;
  SetSendWindow(w: SendWindowDTO, via: Via): Promise<SendWindowDTO>;
  /** StartAtLogin reads the login entry that opens CaseyOS to its tray (the file is the truth). */
  StartAtLogin(): Promise<StartAtLoginDTO>;
  /** SetStartAtLogin writes or removes that entry; a change is audited. */
  SetStartAtLogin(on: boolean, via: Via): Promise<StartAtLoginDTO>;
  /** Shortcuts: the global shortcuts and, in the desktop app, whether each one is CaseyOS's. */
  Shortcuts(): Promise<ShortcutsDTO>;
  /** SetShortcuts stores keys by action ("" turns one off) and grabs them again; invalid names the action. */
  SetShortcuts(shortcuts: ShortcutDTO[], via: Via): Promise<ShortcutsDTO>;
  /** SendTestNotification shows a sample desktop notification (unavailable in browser mode). */
  SendTestNotification(): Promise<string>;
  Transcription(): Promise<TranscriptionDTO>;
  /**
   * ConnectTranscription stores the online recognizer, the key in the keychain only (write-only:
   * it never comes back). check sends a second of silence first; "" with has_key keeps the stored key.
   */
  ConnectTranscription(t: TranscriptionDTO, key: string, check: boolean, via: Via): Promise<TranscriptionDTO>;
  /** DisconnectTranscription removes the online recognizer and its key. */
  DisconnectTranscription(via: Via): Promise<TranscriptionDTO>;
  /** LanguageModel: the optional model that rewrites drafts, its guardrails and today's use (never its key). */
  LanguageModel(): Promise<LanguageModelDTO>;
  /** ConfigureLanguageModel stores the URL, model, budget and never-send list; the key is untouched. */
  ConfigureLanguageModel(m: LanguageModelDTO, via: Via): Promise<LanguageModelDTO>;
  /**
   * ConnectLanguageModel checks the model with a one-token call (unless !check), stores the key in the
   * keychain only (write-only; "" with has_key keeps it) and the model in the workspace.
   */
  ConnectLanguageModel(m: LanguageModelDTO, key: string, check: boolean, via: Via): Promise<LanguageModelDTO>;
  /** DisconnectLanguageModel removes the model and its key; the guardrails stay. */
  DisconnectLanguageModel(via: Via): Promise<LanguageModelDTO>;
  /** Outcomes: what happened after a move was carried out, oldest first (detected and by hand). */
  Outcomes(moveId: number): Promise<OutcomeDTO[]>;
  /** RecordOutcome records an outcome by hand; corrects (0 = none) names the outcome it replaces. */
  RecordOutcome(moveId: number, outcomeType: string, note: string, corrects: number, via: Via): Promise<OutcomeDTO>;
  OutcomeTypes(): Promise<OutcomeTypeDTO[]>;
  on<N extends EventName>(name: N, cb: (data: EventMap[N]) => void): () => void;
  onStatus(cb: (s: Status) => void): () => void;
}

/**
 * The contract: every method of Api is a method of one bound Go service (app/service_*.go) with the
 * same parameters (count and types) and result, as the Go side declares them (api.gen.ts). A method
 * renamed, added, removed or moved to another service in Go, or a parameter or JSON field changed,
 * fails the type check here.
 */
type Called = Omit<Api, 'transport' | 'on' | 'onStatus'>;
type MethodOf<K> = K extends `${string}.${infer M}` ? M : never;
/** Flat is BoundMethods by method name alone (no two services share one). */
type Flat = { [K in keyof BoundMethods as MethodOf<K>]: BoundMethods[K] };
type Bound = { [K in keyof Called]: K extends keyof Flat ? Flat[K] : never };
type Calls = { [K in keyof Called & keyof Flat]: Called[K] };
export const apiContract = {
  toGo: (a: Called): Bound => a,
  fromGo: (m: Flat): Calls => m,
};

export function createApi(t: Transport): Api {
  // c calls a bound method by "<Service>.<Method>": its name and arguments are checked against BoundMethods.
  const c = <K extends keyof BoundMethods>(m: K, ...args: Parameters<BoundMethods[K]>) => t.call<Awaited<ReturnType<BoundMethods[K]>>>(m, args);
  return {
    transport: t,
    Workspace: () => c('SignalsService.Workspace'),
    Today: (domain, limit) => c('TodayService.Today', domain, limit),
    Move: (id) => c('TodayService.Move', id),
    Explain: (id) => c('TodayService.Explain', id),
    UpdateDraft: (id, draft) => c('TodayService.UpdateDraft', id, draft),
    Skip: (id, reason, via) => c('TodayService.Skip', id, reason, via),
    Snooze: (id, until, via) => c('TodayService.Snooze', id, until, via),
    Undo: (via) => c('TodayService.Undo', via),
    FollowUps: (id) => c('TodayService.FollowUps', id),
    StopFollowUps: (id, via) => c('TodayService.StopFollowUps', id, via),
    Signals: (limit, offset) => c('SignalsService.Signals', limit, offset),
    Stats: () => c('SignalsService.Stats'),
    Settings: () => c('SettingsService.Settings'),
    SaveSettings: (s) => c('SettingsService.SaveSettings', s),
    Connections: async () => (await c('ConnectionsService.Connections')) ?? [],
    SyncNow: async (account) => (await c('ConnectionsService.SyncNow', account)) ?? [],
    PreviewExecution: (id) => c('ExecutionService.PreviewExecution', id),
    ExecuteMove: (id, req) => c('ExecutionService.ExecuteMove', id, req),
    CancelExecution: (id, via) => c('ExecutionService.CancelExecution', id, via),
    Rollback: (id, via) => c('ExecutionService.Rollback', id, via),
    KillSwitch: (state, reason, via) => c('ExecutionService.KillSwitch', state, reason, via),
    AuditLog: async (offset, limit) => {
      const r = await c('AuditService.AuditLog', offset, limit);
      return { total: r?.total ?? 0, entries: r?.entries ?? [] };
    },
    VerifyAudit: () => c('AuditService.VerifyAudit'),
    SendWindow: () => c('SettingsService.SendWindow'),
    Outbox: async () => (await c('ExecutionService.Outbox')) ?? [],
    RetryOutbox: async () => (await c('ExecutionService.RetryOutbox')) ?? [],
    Rules: async () => (await c('SettingsService.Rules')) ?? [],
    SaveRule: (r) => c('SettingsService.SaveRule', r),
    DoNotContact: async () => (await c('SettingsService.DoNotContact')) ?? [],
    Metrics: async (weeks) => {
      const m = await c('StatsService.Metrics', weeks);
      return { ...m, weeks: (m?.weeks ?? []).map((w) => ({ ...w, kinds: w.kinds ?? [] })) };
    },
    AddDoNotContact: async (email, reason, note, via) => (await c('SettingsService.AddDoNotContact', email, reason, note, via)) ?? [],
    RemoveDoNotContact: async (email, via) => (await c('SettingsService.RemoveDoNotContact', email, via)) ?? [],
    ResetLearning: (via) => c('SettingsService.ResetLearning', via),
    SimulateRule: async (r, days) => {
      const sim = await c('SettingsService.SimulateRule', r, days);
      return { ...sim, matched: sim?.matched ?? [] };
    },
    VoiceStatus: () => c('VoiceService.VoiceStatus'),
    VoiceStart: (mode, device) => c('VoiceService.VoiceStart', mode, device),
    VoiceStop: () => c('VoiceService.VoiceStop'),
    VoicePushToTalk: (down, moveId) => c('VoiceService.VoicePushToTalk', down, moveId),
    SetSendWindow: (w, via) => c('SettingsService.SetSendWindow', w, via),
    StartAtLogin: () => c('SettingsService.StartAtLogin'),
    SetStartAtLogin: (on, via) => c('SettingsService.SetStartAtLogin', on, via),
    Shortcuts: async () => { const r = await c('ShortcutsService.Shortcuts'); return { ...r, shortcuts: r?.shortcuts ?? [] }; },
    SetShortcuts: async (list, via) => { const r = await c('ShortcutsService.SetShortcuts', list, via); return { ...r, shortcuts: r?.shortcuts ?? [] }; },
    SendTestNotification: () => c('NotificationsService.SendTestNotification'),
    Transcription: () => c('ConnectionsService.Transcription'),
    ConnectTranscription: (t, key, check, via) => c('ConnectionsService.ConnectTranscription', t, key, check, via),
    DisconnectTranscription: (via) => c('ConnectionsService.DisconnectTranscription', via),
    LanguageModel: () => c('ConnectionsService.LanguageModel'),
    ConfigureLanguageModel: (m, via) => c('ConnectionsService.ConfigureLanguageModel', m, via),
    ConnectLanguageModel: (m, key, check, via) => c('ConnectionsService.ConnectLanguageModel', m, key, check, via),
    DisconnectLanguageModel: (via) => c('ConnectionsService.DisconnectLanguageModel', via),
    Outcomes: async (moveId) => (await c('OutcomesService.Outcomes', moveId)) ?? [],
    RecordOutcome: (moveId, outcomeType, note, corrects, via) => c('OutcomesService.RecordOutcome', moveId, outcomeType, note, corrects, via),
    OutcomeTypes: async () => (await c('OutcomesService.OutcomeTypes')) ?? [],
    on: (name, cb) => t.on(name, cb as Listener),
    onStatus: (cb) => t.onStatus(cb),
  };
}

let singleton: Api | null = null;

/** api returns the app-wide API over the detected transport. */
export function api(): Api {
  return (singleton ??= createApi(detectTransport()));
}
