import { describe, expect, it, vi } from 'vitest';
import { createApi, createHttpTransport, createWailsTransport, detectTransport, shellApp, takeToken, toApiError, type EventSourceLike } from './api';

function memStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

function reply(status: number, body: unknown) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function setup(fetchImpl: (url: string, init: RequestInit) => Promise<Response>, href = 'http://127.0.0.1:5000/?token=T0K&x=1') {
  const fetch = vi.fn(fetchImpl);
  const replaceUrl = vi.fn();
  const storage = memStorage();
  const t = createHttpTransport({ fetch: fetch as unknown as typeof globalThis.fetch, location: { href }, replaceUrl, storage });
  return { api: createApi(t), fetch, replaceUrl, storage, t };
}

describe('HTTP transport', () => {
  it('POSTs /api/<Service>.<Method> with a JSON array and the bearer token', async () => {
    const { api, fetch } = setup(async () => reply(200, { workspace: { demo: true }, pending: 0, by_domain: {}, moves: [] }));
    const today = await api.Today('sales', 10);
    expect(today.workspace.demo).toBe(true);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/api/TodayService.Today');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer T0K');
    expect(JSON.parse(init.body as string)).toEqual(['sales', 10]);
  });

  it('sends every method with its positional arguments', async () => {
    const { api, fetch } = setup(async () => reply(200, {}));
    await api.Skip(12, 'not now', 'key');
    await api.Snooze(12, 'tomorrow', 'click');
    await api.Undo('key');
    await api.ExecuteMove(3, { preview_hash: 'h1', via: 'voice', allow_template: false });
    await api.UpdateDraft(3, { subject: 'Hi' });
    await api.Signals(50, 100);
    await api.Stats();
    const calls = fetch.mock.calls.map(([u, i]) => [u, JSON.parse(i.body as string)]);
    expect(calls).toEqual([
      ['/api/TodayService.Skip', [12, 'not now', 'key']],
      ['/api/TodayService.Snooze', [12, 'tomorrow', 'click']],
      ['/api/TodayService.Undo', ['key']],
      ['/api/ExecutionService.ExecuteMove', [3, { preview_hash: 'h1', via: 'voice', allow_template: false }]],
      ['/api/TodayService.UpdateDraft', [3, { subject: 'Hi' }]],
      ['/api/SignalsService.Signals', [50, 100]],
      ['/api/SignalsService.Stats', []],
    ]);
  });

  it('sends the online recognizer with its key as an argument, never in the URL', async () => {
    const { api, fetch } = setup(async () => reply(200, { url: 'https://api.openai.com/v1', has_key: true }));
    const t = { url: 'https://api.openai.com/v1', model: 'whisper-1', has_key: false };
    expect((await api.ConnectTranscription(t, 'sk-k3y', true, 'click')).has_key).toBe(true);
    await api.DisconnectTranscription('click');
    await api.Transcription();
    const calls = fetch.mock.calls.map(([u, i]) => [u, JSON.parse(i.body as string)]);
    expect(calls).toEqual([
      ['/api/ConnectionsService.ConnectTranscription', [t, 'sk-k3y', true, 'click']],
      ['/api/ConnectionsService.DisconnectTranscription', ['click']],
      ['/api/ConnectionsService.Transcription', []],
    ]);
  });

  it('takes the token from the URL once, strips it, and keeps it for the session', () => {
    const storage = memStorage();
    const replaceUrl = vi.fn();
    expect(takeToken({ location: { href: 'http://127.0.0.1:5000/?token=abc&x=1#h' }, replaceUrl, storage })).toBe('abc');
    expect(replaceUrl).toHaveBeenCalledWith('/?x=1#h');
    // A reload without ?token= still has it.
    expect(takeToken({ location: { href: 'http://127.0.0.1:5000/' }, replaceUrl, storage })).toBe('abc');
    const r2 = vi.fn();
    takeToken({ location: { href: 'http://127.0.0.1:5000/?token=zz' }, replaceUrl: r2, storage });
    expect(r2).toHaveBeenCalledWith('/');
  });

  it('maps an error body to {code, message}', async () => {
    const { api } = setup(async () => reply(404, { code: 'not_found', message: 'move 999 not found' }));
    await expect(api.Move(999)).rejects.toEqual({ code: 'not_found', message: 'move 999 not found' });
  });

  it('maps a bare HTTP status to a code', async () => {
    for (const [status, code] of [[400, 'invalid'], [401, 'unauthorized'], [403, 'unauthorized'], [409, 'conflict'], [503, 'unavailable'], [500, 'internal'], [502, 'internal']] as const) {
      const { api } = setup(async () => new Response('', { status }));
      const err = await api.Stats().catch((e) => e);
      expect(err.code).toBe(code);
      expect(typeof err.message).toBe('string');
      expect(err.message.length).toBeGreaterThan(0);
    }
  });

  it('turns a network failure into unavailable and reports offline, then online', async () => {
    let down = true;
    const { api, t } = setup(async () => {
      if (down) throw new TypeError('Failed to fetch');
      return reply(200, { pending: 1 });
    });
    const status: string[] = [];
    t.onStatus((st) => status.push(st));
    await expect(api.Stats()).rejects.toEqual({ code: 'unavailable', message: 'CaseyOS is not reachable' });
    down = false;
    await api.Stats();
    expect(status).toEqual(['offline', 'online']);
  });

  it('rejects a body that is not JSON as internal', async () => {
    const { api } = setup(async () => new Response('<html>', { status: 200 }));
    await expect(api.Stats()).rejects.toMatchObject({ code: 'internal' });
  });

  it('listens to server-sent events with the token and emits a reload after a reconnect', () => {
    const sources: FakeES[] = [];
    class FakeES implements EventSourceLike {
      onopen: ((ev: unknown) => void) | null = null;
      onerror: ((ev: unknown) => void) | null = null;
      handlers = new Map<string, (ev: { data: string }) => void>();
      constructor(public url: string) {
        sources.push(this);
      }
      addEventListener(name: string, cb: (ev: { data: string }) => void) {
        this.handlers.set(name, cb);
      }
      close() {}
    }
    const t = createHttpTransport({ fetch: vi.fn() as unknown as typeof fetch, location: { href: 'http://h/?token=a+b' }, storage: memStorage(), EventSource: FakeES });
    const api = createApi(t);
    const changed = vi.fn();
    const reload = vi.fn();
    api.on('queue:changed', changed);
    api.on('api:reload', reload);
    expect(sources).toHaveLength(1); // one stream for all events
    expect(sources[0].url).toBe('/api/events?token=a%20b');
    sources[0].onopen?.({});
    sources[0].handlers.get('queue:changed')?.({ data: '{"reason":"skip","move_ids":[3]}' });
    expect(changed).toHaveBeenCalledWith({ reason: 'skip', move_ids: [3] });
    expect(reload).not.toHaveBeenCalled();
    sources[0].onerror?.({});
    sources[0].onopen?.({});
    expect(reload).toHaveBeenCalledTimes(1);
  });
});

describe('Wails transport', () => {
  it('calls window.go.app.<Service>.<Method> and maps rejections', async () => {
    const today = {
      Today: vi.fn(async () => ({ pending: 2 })),
      Skip: vi.fn(async () => {
        throw '{"code":"not_found","message":"move 7 not found"}';
      }),
      Move: vi.fn(async () => {
        throw 'plain failure';
      }),
    };
    const signals = {
      Stats: vi.fn(async () => {
        throw { code: 'unavailable', message: 'offline' };
      }),
      // A method the UI calls on another service is not found here.
      Today: vi.fn(async () => ({ pending: 99 })),
    };
    const app = { TodayService: today, SignalsService: signals };
    const off = vi.fn();
    const runtime = { EventsOn: vi.fn(() => off) };
    const api = createApi(createWailsTransport(app, runtime));
    expect(await api.Today('', 0)).toEqual({ pending: 2 });
    expect(today.Today).toHaveBeenCalledWith('', 0);
    expect(signals.Today).not.toHaveBeenCalled();
    await expect(api.Skip(7, '', 'key')).rejects.toEqual({ code: 'not_found', message: 'move 7 not found' });
    await expect(api.Stats()).rejects.toEqual({ code: 'unavailable', message: 'offline' });
    await expect(api.Move(1)).rejects.toEqual({ code: 'internal', message: 'plain failure' });
    await expect(api.Workspace()).rejects.toMatchObject({ code: 'not_found' });
    const cb = vi.fn();
    api.on('queue:changed', cb)();
    expect(runtime.EventsOn).toHaveBeenCalledWith('queue:changed', expect.any(Function));
    expect(off).toHaveBeenCalled();
  });
});

describe("the desktop window's Shell", () => {
  it('forwards every call as "<Service>.<Method>" with its arguments, and its errors', async () => {
    const call = vi.fn(async (method: string, args: unknown[]) => {
      if (method === 'TodayService.Skip') throw { code: 'not_found', message: `move ${args[0]} not found` };
      return { method, args };
    });
    const api = createApi(createWailsTransport(shellApp(call), { EventsOn: vi.fn(() => () => {}) }));
    expect(await api.Today('sales', 5)).toEqual({ method: 'TodayService.Today', args: ['sales', 5] });
    await expect(api.Skip(7, '', 'key')).rejects.toEqual({ code: 'not_found', message: 'move 7 not found' });
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('is picked over the bindings and HTTP when the window binds it', async () => {
    const call = vi.fn(async () => ({ pending: 3 }));
    vi.stubGlobal('window', { go: { app: { Shell: { Call: call } } }, runtime: { EventsOn: vi.fn(() => () => {}) } });
    try {
      const t = detectTransport();
      expect(t.kind).toBe('wails');
      expect(await createApi(t).Today('', 1)).toEqual({ pending: 3 });
      expect(call).toHaveBeenCalledWith('TodayService.Today', ['', 1]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('toApiError', () => {
  it('normalizes anything', () => {
    expect(toApiError({ code: 'invalid', message: 'm', extra: 1 })).toEqual({ code: 'invalid', message: 'm' });
    expect(toApiError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toApiError(42)).toMatchObject({ code: 'internal' });
  });
});
