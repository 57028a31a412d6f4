// ModelSettings rendered on its own (svelte/server), over a store already
// loaded from a fake API, and the store's calls.
import { render } from 'svelte/server';
import { describe, expect, it, vi } from 'vitest';
import type { Api, LanguageModelDTO, WorkspaceDTO } from '../../api';
import { contextFor, type AppContext } from '../../context';
import { ModelStore, neverSendList } from '../../stores/model.svelte';
import ModelSettings from './ModelSettings.svelte';

const none: LanguageModelDTO = { url: '', never_send: [], has_key: false, budget: 200000, used_today: 0, active: false };
const openai: LanguageModelDTO = {
  url: 'https://api.openai.com/v1',
  model: 'gpt-4o-mini',
  never_send: ['acme.example'],
  has_key: true,
  budget: 50000,
  daily_tokens: 50000,
  used_today: 1234,
  name: 'gpt-4o-mini at api.openai.com',
  active: true,
};

function fakeApi(saved: LanguageModelDTO) {
  return {
    LanguageModel: vi.fn(async () => saved),
    ConfigureLanguageModel: vi.fn(async (m: LanguageModelDTO, _via: string) => ({ ...saved, ...m, budget: m.daily_tokens || 200000 })),
    ConnectLanguageModel: vi.fn(async (m: LanguageModelDTO, _key: string, _check: boolean, _via: string) => ({ ...m, name: `${m.model} at x`, active: true, has_key: true, budget: 200000, used_today: 0 })),
    DisconnectLanguageModel: vi.fn(async (_via: string) => ({ ...none, never_send: saved.never_send })),
  };
}

async function page(saved: LanguageModelDTO, demo = false) {
  const api = fakeApi(saved);
  const store = new ModelStore(api);
  await store.load();
  const workspace: WorkspaceDTO = { demo, label: demo ? 'Demo' : 'Workspace', path: '' };
  const ctx = { api: api as unknown as Api, queue: { workspace } } as unknown as AppContext;
  return { body: render(ModelSettings, { props: { store }, context: contextFor(ctx) }).body, api, store };
}

const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const attr = (html: string, testid: string, name: string) => html.match(new RegExp(`<[^>]*data-testid="${testid}"[^>]*>`))?.[0].match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];

describe('ModelSettings', () => {
  it('with no model: says drafts are offline, no Disconnect, Connect disabled until URL and model', async () => {
    const { body } = await page(none);
    expect(attr(body, 'model-state', 'data-state')).toBe('off');
    expect(text(body)).toContain('every draft is offline');
    expect(body).not.toContain('data-testid="model-disconnect"');
    expect(body).toMatch(/<button[^>]*disabled[^>]*data-testid="model-connect"/);
    expect(attr(body, 'model-key', 'type')).toBe('password');
  });

  it('connected: names the model, the stored key (never shown), the budget used and the never-send list', async () => {
    const { body } = await page(openai);
    expect(attr(body, 'model-state', 'data-state')).toBe('active');
    expect(text(body)).toContain('Active: gpt-4o-mini at api.openai.com');
    expect(text(body)).toContain('A key is stored in the OS keychain');
    expect(attr(body, 'model-key', 'value') ?? '').toBe('');
    expect(attr(body, 'model-key', 'placeholder')).toBe('Leave empty to keep the stored key');
    expect(text(body)).toContain('1234 of 50000 tokens used today');
    expect(body).toContain('acme.example</textarea>');
    expect(body).toContain('data-testid="model-disconnect"');
    expect(body).not.toContain('sk-');
  });

  it('in the demo: says it drafts offline only and offers no Connect', async () => {
    const { body } = await page({ ...openai, active: false, notice: 'The demo workspace drafts offline only: nothing is sent to the model.' }, true);
    expect(body).toContain('data-testid="model-demo"');
    expect(attr(body, 'model-state', 'data-state')).toBe('inactive');
    expect(body).toMatch(/<button[^>]*disabled[^>]*data-testid="model-connect"/);
  });
});

describe('ModelStore', () => {
  it('connects with the typed key, the check, the budget and the list', async () => {
    const api = fakeApi(none);
    const store = new ModelStore(api);
    await store.load();
    Object.assign(store.form, { url: ' http://127.0.0.1:11434/v1 ', model: 'llama3.2', key: 'sk-local', dailyTokens: '5000', neverSend: 'acme.example\n\n co-7 ,other.example' });
    expect(await store.connect()).toBe(true);
    const [dto, key, check, via] = api.ConnectLanguageModel.mock.calls[0];
    expect(dto).toMatchObject({ url: 'http://127.0.0.1:11434/v1', model: 'llama3.2', daily_tokens: 5000, never_send: ['acme.example', 'co-7', 'other.example'], has_key: false });
    expect([key, check, via]).toEqual(['sk-local', true, 'click']);
    expect(store.form.key).toBe('');
    expect(store.message).toContain('Connected llama3.2 at x');
  });

  it('keeps the stored key only for the same URL', async () => {
    const api = fakeApi(openai);
    const store = new ModelStore(api);
    await store.load();
    await store.connect();
    expect(api.ConnectLanguageModel.mock.calls[0][0].has_key).toBe(true);
    store.form.url = 'https://api.x.ai/v1';
    await store.connect();
    expect(api.ConnectLanguageModel.mock.calls[1][0].has_key).toBe(false);
  });

  it('saves the guardrails without changing the model, and shows a refusal', async () => {
    const api = fakeApi(openai);
    const store = new ModelStore(api);
    await store.load();
    store.form.url = 'https://elsewhere.example/v1';
    store.form.neverSend = 'acme.example\nbeta.example';
    await store.saveGuardrails();
    expect(api.ConfigureLanguageModel.mock.calls[0][0]).toMatchObject({ url: openai.url, model: openai.model, never_send: ['acme.example', 'beta.example'] });
    api.ConnectLanguageModel.mockRejectedValueOnce({ code: 'unauthorized', message: 'the model gpt-4o-mini at https://api.openai.com/v1 did not answer the check: the model refused the API key' });
    expect(await store.connect()).toBe(false);
    expect(store.error?.code).toBe('unauthorized');
  });

  it('neverSendList splits lines and commas and drops blanks', () => {
    expect(neverSendList(' a.example,\n\nB \n')).toEqual(['a.example', 'B']);
  });
});
