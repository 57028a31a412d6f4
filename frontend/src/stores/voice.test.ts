import { describe, expect, it, vi } from 'vitest';
import type { VoiceStatusDTO } from '../api';
import { VoiceStore } from './voice.svelte';

const st = (over: Partial<VoiceStatusDTO> = {}): VoiceStatusDTO => ({ state: 'idle', mode: 'push_to_talk', in_speech: false, running: false, recognizer: 'ready', ...over });

describe('voice', () => {
  it('says why voice is unavailable', async () => {
    const api = {
      VoiceStatus: vi.fn(async () => st({ recognizer: 'unavailable', recognizer_message: 'no speech model: install pocketsphinx-en-us' })),
      VoiceStart: vi.fn(),
      VoiceStop: vi.fn(),
      VoicePushToTalk: vi.fn(),
    };
    const v = new VoiceStore(api);
    await v.load();
    expect(v.available).toBe(false);
    expect(v.why).toMatch(/pocketsphinx/);
  });

  it('v opens the microphone, then presses and releases the talk key for the focused move', async () => {
    const api = {
      VoiceStatus: vi.fn(async () => st()),
      VoiceStart: vi.fn(async () => st({ running: true })),
      VoiceStop: vi.fn(async () => st()),
      VoicePushToTalk: vi.fn(async (down: boolean) => st({ running: true, state: down ? 'listening' : 'idle' })),
    };
    const v = new VoiceStore(api);
    await v.load();
    await v.talk(7);
    expect(api.VoiceStart).toHaveBeenCalledWith('push_to_talk', '');
    expect(api.VoicePushToTalk).toHaveBeenLastCalledWith(true, 7);
    expect(v.talking).toBe(true);
    await v.talk(7);
    expect(api.VoicePushToTalk).toHaveBeenLastCalledWith(false, 7);
    expect(v.talking).toBe(false);
    await v.toggle();
    expect(api.VoiceStop).toHaveBeenCalled();
  });

  it('shows what was heard for a while, and why something was ignored', () => {
    let t = 1000;
    const v = new VoiceStore({ VoiceStatus: vi.fn(), VoiceStart: vi.fn(), VoiceStop: vi.fn(), VoicePushToTalk: vi.fn() }, () => t);
    v.onHeard({ heard: 'skip', intent: 'skip', ignored: '', action: 'Skipped: Reply to Dana', said: '' });
    expect(v.line()).toBe('“skip” — Skipped: Reply to Dana');
    v.onHeard({ heard: 'approve', intent: '', ignored: 'rejected', action: '', said: '' });
    expect(v.line()).toBe('“approve” — ignored (rejected)');
    t += 7000;
    expect(v.line()).toBe('');
    v.onState(st({ state: 'confirming', confirm_for: 3, until: '2026-12-01T10:00:06Z' }));
    expect(v.status?.state).toBe('confirming');
  });

  it('names the online recognizer, and says when it failed', async () => {
    const online = { name: 'whisper-1 at api.openai.com', url: 'https://api.openai.com/v1', state: 'ready' };
    const api = { VoiceStatus: vi.fn(async () => st({ active_recognizer: 'online+offline', online })), VoiceStart: vi.fn(), VoiceStop: vi.fn(), VoicePushToTalk: vi.fn() };
    const v = new VoiceStore(api);
    expect(v.recognizerLine).toBe('');
    await v.load();
    expect(v.recognizerLine).toBe('online: whisper-1 at api.openai.com');
    // The session's own voice:state keeps what it does not carry.
    v.onState({ state: 'listening', mode: 'push_to_talk', in_speech: true } as VoiceStatusDTO);
    expect(v.recognizerLine).toBe('online: whisper-1 at api.openai.com');
    // The App's whole status replaces it: a refused key shows.
    v.onState(st({ running: true, online: { ...online, state: 'unauthorized', message: 'the transcription endpoint refused the API key' } }));
    expect(v.recognizerLine).toMatch(/refused the API key — offline answers/);
    v.onState(st({ running: true }));
    expect(v.recognizerLine).toBe('');
  });
});
