import { describe, expect, it, vi } from 'vitest';
import type { ApiError, TranscriptionDTO } from '../api';
import { onlineState, TranscriptionStore, trimUrl } from './transcription.svelte';

const key = 'sk-proj-t3stk3y-0000-l3akf1nd3r';
const openai = (over: Partial<TranscriptionDTO> = {}): TranscriptionDTO => ({ url: 'https://api.openai.com/v1', model: 'whisper-1', timeout_ms: 3000, has_key: true, ...over });

function fakeApi(start: TranscriptionDTO = { url: '', has_key: false }) {
  let cur = start;
  return {
    Transcription: vi.fn(async () => cur),
    ConnectTranscription: vi.fn(async (t: TranscriptionDTO, k: string, _check: boolean, _via: string): Promise<TranscriptionDTO> => {
      if (k.startsWith('sk-wrong')) throw { code: 'unauthorized', message: 'the transcription endpoint refused the API key' } satisfies ApiError;
      cur = { ...t, has_key: k !== '' || t.has_key };
      return { ...cur, name: `${t.model || 'whisper-1'} at ${new URL(t.url).host}` };
    }),
    DisconnectTranscription: vi.fn(async (): Promise<TranscriptionDTO> => (cur = { url: '', has_key: false })),
  };
}

describe('transcription settings', () => {
  it('starts with whisper-1 and no key, and saves with the check', async () => {
    const api = fakeApi();
    const t = new TranscriptionStore(api);
    await t.load();
    expect(t.configured).toBe(false);
    expect(t.form).toEqual({ url: '', model: 'whisper-1', timeout: '', key: '', skipCheck: false });
    expect(t.canSave).toBe(false);
    expect(await t.save()).toBe(false);
    expect(api.ConnectTranscription).not.toHaveBeenCalled();

    t.form.url = ' https://api.openai.com/v1/ ';
    t.form.timeout = '2.5';
    t.form.key = ` ${key} `;
    expect(await t.save()).toBe(true);
    expect(api.ConnectTranscription).toHaveBeenCalledWith({ url: 'https://api.openai.com/v1', model: 'whisper-1', timeout_ms: 2500, has_key: false }, key, true, 'click');
    expect(t.message).toBe('Saved: whisper-1 at api.openai.com answered the check.');
    // Write-only: the key leaves the form once sent, and only has_key comes back.
    expect(t.form.key).toBe('');
    expect(t.saved?.has_key).toBe(true);
    expect(JSON.stringify(t.saved)).not.toContain(key);
  });

  it('skip check sends check false', async () => {
    const api = fakeApi();
    const t = new TranscriptionStore(api);
    await t.load();
    t.form.url = 'http://127.0.0.1:8080/v1';
    t.form.model = 'ggml-base.en';
    t.form.skipCheck = true;
    expect(await t.save()).toBe(true);
    expect(api.ConnectTranscription.mock.calls[0][2]).toBe(false);
    expect(t.message).toMatch(/not checked/);
  });

  it('keeps the stored key for the same URL only', async () => {
    const api = fakeApi(openai());
    const t = new TranscriptionStore(api);
    await t.load();
    expect(t.form).toEqual({ url: 'https://api.openai.com/v1', model: 'whisper-1', timeout: '3', key: '', skipCheck: false });
    expect(t.keepsKey).toBe(true);
    t.form.timeout = '5';
    await t.save();
    expect(api.ConnectTranscription.mock.calls[0].slice(0, 2)).toEqual([{ url: 'https://api.openai.com/v1', model: 'whisper-1', timeout_ms: 5000, has_key: true }, '']);
    // Another URL: the stored key does not go with it, and the form says so.
    t.form.url = 'https://transcribe.example/v1';
    expect(t.keepsKey).toBe(false);
    expect(t.dropsKey).toBe(true);
    await t.save();
    expect(api.ConnectTranscription.mock.calls[1][0].has_key).toBe(false);
  });

  it('a refused key is an error and the form keeps what was typed', async () => {
    const api = fakeApi();
    const t = new TranscriptionStore(api);
    await t.load();
    t.form.url = 'https://api.openai.com/v1';
    t.form.key = 'sk-wrong-1';
    expect(await t.save()).toBe(false);
    expect(t.error).toEqual({ code: 'unauthorized', message: 'the transcription endpoint refused the API key' });
    expect(t.form.key).toBe('sk-wrong-1');
    expect(t.configured).toBe(false);
    expect(t.message).toBe('');
  });

  it('refuses a timeout that is not a number of seconds', async () => {
    const api = fakeApi();
    const t = new TranscriptionStore(api);
    await t.load();
    t.form.url = 'https://api.openai.com/v1';
    for (const bad of ['abc', '-1', '31']) {
      t.form.timeout = bad;
      expect(await t.save()).toBe(false);
      expect(t.error?.code).toBe('invalid');
    }
    expect(api.ConnectTranscription).not.toHaveBeenCalled();
  });

  it('remove deletes the endpoint and its key, and shows the notice', async () => {
    const api = fakeApi(openai());
    api.DisconnectTranscription.mockResolvedValueOnce({ url: '', has_key: false, notice: 'Removed from your own workspace too.' });
    const t = new TranscriptionStore(api);
    await t.load();
    expect(await t.remove()).toBe(true);
    expect(api.DisconnectTranscription).toHaveBeenCalledWith('click');
    expect(t.configured).toBe(false);
    expect(t.saved?.has_key).toBe(false);
    expect(t.message).toMatch(/^Removed:/);
    expect(t.notice).toBe('Removed from your own workspace too.');
  });

  it('shows the demo notice after a save', async () => {
    const api = fakeApi();
    api.ConnectTranscription.mockResolvedValueOnce({ ...openai(), name: 'whisper-1 at api.openai.com', notice: 'Saved in your own workspace. CaseyOS is showing the demo workspace: restart it to switch to yours.' });
    const t = new TranscriptionStore(api);
    await t.load();
    t.form.url = 'https://api.openai.com/v1';
    await t.save();
    expect(t.notice).toMatch(/restart it to switch to yours/);
    // This (demo) session's voice does not use it: the state says where it went.
    expect(onlineState(t.saved, undefined, t.elsewhere).state).toBe('elsewhere');
    await t.load();
    expect(t.elsewhere).toBe(false);
  });

  it('trimUrl drops spaces and trailing slashes', () => {
    expect(trimUrl(' https://api.openai.com/v1// ')).toBe('https://api.openai.com/v1');
  });
});

describe('onlineState', () => {
  const online = { name: 'whisper-1 at api.openai.com', url: 'https://api.openai.com/v1', state: 'ready' };
  it.each([
    ['nothing configured', null, undefined, 'off', /offline only/],
    ['voice has not used it yet', openai(), undefined, 'untried', /has not used it/],
    ['the voice status is for another URL', openai(), { ...online, url: 'http://127.0.0.1:8080/v1' }, 'untried', /has not used it/],
    ['ready', openai(), online, 'ready', /^Ready$/],
    ['unreachable', openai(), { ...online, state: 'unreachable', message: 'the transcription endpoint cannot be reached' }, 'unreachable', /offline recognizer answers/],
    ['unauthorized', openai(), { ...online, state: 'unauthorized', message: 'the transcription endpoint refused the API key' }, 'unauthorized', /Key refused/],
    ['refused', openai(), { ...online, state: 'refused', message: 'no quota left' }, 'refused', /Refused/],
  ])('%s', (_name, saved, on, state, label) => {
    const got = onlineState(saved, on);
    expect(got.state).toBe(state);
    expect(got.label).toMatch(label);
    if (on && on.state !== 'ready' && on.url === saved?.url) expect(got.message).toBe((on as { message: string }).message);
  });
});
