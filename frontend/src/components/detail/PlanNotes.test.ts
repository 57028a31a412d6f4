// PlanNotes rendered on its own (svelte/server: no DOM needed).
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ExecutionPreviewDTO } from '../../api';
import PlanNotes from './PlanNotes.svelte';

const base: ExecutionPreviewDTO = {
  move_id: 7,
  kind: 'create_task',
  action: 'create_task',
  account: 'hubspot',
  hash: 'abc',
  effects: ['Create the HubSpot task “Call Maya”'],
  undo: 'Rollback deletes the task.',
  undo_window_seconds: 10,
  plan: {},
};

/** text is what the page says, tags and Svelte's markers gone. */
const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, '');

describe('PlanNotes', () => {
  it('reads the undo window and what rollback does as two sentences', () => {
    const { body } = render(PlanNotes, { props: { plan: base } });
    const info = text(body.match(/<p[^>]*data-testid="undo-info"[^>]*>[\s\S]*?<\/p>/)?.[0] ?? '').trim();
    expect(info).toBe('It waits 10 s before it leaves (z takes it back). Rollback deletes the task.');
  });

  it('says only what rollback does when nothing waits', () => {
    const { body } = render(PlanNotes, { props: { plan: { ...base, undo_window_seconds: 0 } } });
    const info = text(body.match(/<p[^>]*data-testid="undo-info"[^>]*>[\s\S]*?<\/p>/)?.[0] ?? '').trim();
    expect(info).toBe('Rollback deletes the task.');
  });
});
