// VoiceSettings rendered on its own (svelte/server: the unit tests run
// without a DOM), over stores already loaded from a fake API.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { Api, OnlineRecognizerDTO, TranscriptionDTO, VoiceStatusDTO, WorkspaceDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { TranscriptionStore } from '../../stores/transcription.svelte';
import { VoiceStore } from '../../stores/voice.svelte';
import VoiceSettings from './VoiceSettings.svelte';

const url = 'https://api.openai.com/v1';

async function page(saved: TranscriptionDTO, online?: OnlineRecognizerDTO, opts: { demo?: boolean; typed?: Partial<TranscriptionStore['form']>; offline?: Partial<VoiceStatusDTO> } = {}) {
  const api = {
    Transcription: vi.fn(async () => saved),
    ConnectTranscription: vi.fn(),
    DisconnectTranscription: vi.fn(),
    VoiceStatus: vi.fn(async (): Promise<VoiceStatusDTO> => ({ state: 'idle', mode: 'push_to_talk', in_speech: false, running: false, recognizer: 'ready', online, ...opts.offline })),
    VoiceStart: vi.fn(),
    VoiceStop: vi.fn(),
    VoicePushToTalk: vi.fn(),
  };
  const transcription = new TranscriptionStore(api);
  await transcription.load();
  Object.assign(transcription.form, opts.typed ?? {});
  const voice = new VoiceStore(api);
  await voice.load();
  const workspace: WorkspaceDTO = { demo: !!opts.demo, label: opts.demo ? 'Demo' : 'Workspace', path: '' };
  const ctx = { api: api as unknown as Api, transcription, voice, queue: { workspace } } as unknown as AppContext;
  const { body } = render(VoiceSettings, { context: contextFor(ctx) });
  return { body, api };
}

/** text is what the page says, tags gone. */
const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const attr = (html: string, testid: string, name: string) => html.match(new RegExp(`<[^>]*data-testid="${testid}"[^>]*>`))?.[0].match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

describe('VoiceSettings', () => {
  it('shows the offline recognizer: ready, missing a part, or unavailable with why', async () => {
    let { body } = await page({ url: '', has_key: false });
    expect(attr(body, 'offline-state', 'data-state')).toBe('ready');
    expect(text(body)).toContain('Offline recognizer');
    expect(body).not.toContain('data-testid="offline-why"');
    ({ body } = await page({ url: '', has_key: false }, undefined, { offline: { recognizer: 'ready', recognizer_message: 'pocketsphinx alone hears commands: the keyword classifier is unavailable: run make voice-models' } }));
    expect(attr(body, 'offline-state', 'data-state')).toBe('ready');
    expect(text(body)).toContain('State: Ready — pocketsphinx alone hears commands: the keyword classifier is unavailable: run make voice-models');
    ({ body } = await page({ url: '', has_key: false }, undefined, { offline: { recognizer: 'unavailable', recognizer_message: 'no offline recognizer: install pocketsphinx-en-us' } }));
    expect(attr(body, 'offline-state', 'data-state')).toBe('unavailable');
    expect(text(body)).toContain('Cannot be used — no offline recognizer: install pocketsphinx-en-us');
    ({ body } = await page({ url: '', has_key: false }, undefined, { offline: { recognizer: 'not_loaded' } }));
    expect(text(body)).toContain('Loads the first time you listen');
  });

  it('with nothing configured: says voice is offline only, model whisper-1, no Remove', async () => {
    const { body } = await page({ url: '', has_key: false });
    expect(text(body)).toContain('Online recognizer (optional)');
    expect(attr(body, 'transcription-state', 'data-state')).toBe('off');
    expect(text(body)).toContain('heard offline only');
    expect(attr(body, 'transcription-model', 'value')).toBe('whisper-1');
    expect(attr(body, 'transcription-key', 'type')).toBe('password');
    expect(attr(body, 'transcription-key', 'placeholder')).toMatch(/needs none/);
    expect(body).not.toContain('data-testid="transcription-remove"');
    expect(body).not.toContain('data-testid="transcription-has-key"');
    expect(body).toMatch(/<button[^>]*disabled[^>]*data-testid="transcription-save"/);
  });

  it('with a key stored: says so, never shows it, and offers Remove', async () => {
    const { body } = await page({ url, model: 'whisper-1', timeout_ms: 2500, has_key: true }, { name: 'whisper-1 at api.openai.com', url, state: 'ready' });
    expect(attr(body, 'transcription-state', 'data-state')).toBe('ready');
    expect(text(body)).toContain('State: Ready');
    expect(text(body)).toContain('A key is stored in the OS keychain');
    expect(attr(body, 'transcription-url', 'value')).toBe(url);
    expect(attr(body, 'transcription-timeout', 'value')).toBe('2.5');
    expect(attr(body, 'transcription-key', 'value') ?? '').toBe('');
    expect(attr(body, 'transcription-key', 'placeholder')).toBe('Leave empty to keep the stored key');
    expect(body).toContain('data-testid="transcription-remove"');
    expect(body).not.toContain('sk-');
  });

  it('a refused key shows with its reason', async () => {
    const message = 'the transcription endpoint refused the API key: save a valid one in Settings → Voice (or `caseyos connect whisper`)';
    const { body } = await page({ url, has_key: true }, { name: 'whisper-1 at api.openai.com', url, state: 'unauthorized', code: 'unauthorized', message });
    expect(attr(body, 'transcription-state', 'data-state')).toBe('unauthorized');
    expect(text(body)).toContain('Key refused — enter a valid key and save');
    expect(text(body)).toContain('refused the API key');
  });

  it('an unreachable endpoint says the offline recognizer answers meanwhile', async () => {
    const until = new Date(Date.now() + 5 * 60_000).toISOString();
    const { body } = await page({ url, has_key: true }, { name: 'whisper-1 at api.openai.com', url, state: 'unreachable', message: 'the transcription endpoint cannot be reached', until });
    expect(text(body)).toContain('Unreachable — the offline recognizer answers meanwhile — the transcription endpoint cannot be reached');
    expect(text(body)).toMatch(/Next try in 5 min\./);
  });

  it('another URL says the stored key stays behind', async () => {
    const { body } = await page({ url, has_key: true }, undefined, { typed: { url: 'https://transcribe.example/v1' } });
    expect(attr(body, 'transcription-state', 'data-state')).toBe('untried');
    expect(text(body)).toContain('The stored key is only kept for its own URL');
    expect(attr(body, 'transcription-key', 'placeholder')).toMatch(/needs none/);
  });

  it('in the demo, says Save goes to your own workspace', async () => {
    const { body } = await page({ url: '', has_key: false }, undefined, { demo: true });
    expect(text(body)).toContain('The demo workspace is open: Save keeps the recognizer in your own workspace');
  });
});
