// PlanNotes rendered on its own (svelte/server: no DOM needed).
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ExecutionPreviewDTO } from '../../api';
import PlanNotes from './PlanNotes.svelte';

const base: ExecutionPreviewDTO = {
  move_id: 7,
  kind: 'create_task',
  summary: 'Create the task “Call Maya”',
  draft_effects: ['Create the task “Call Maya”'],
  draft: { task_title: 'Call Maya' },
  action: 'create_task',
  account: 'hubspot',
  hash: 'abc',
  effects: ['Create the HubSpot task “Call Maya”'],
  undo: 'Rollback deletes the task.',
  undo_window_seconds: 10,
  plan: null,
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

describe('PlanNotes template holes', () => {
  it('names each line still holding template text and offers the explicit override', () => {
    const holes = [
      { field: 'body', line: 1, kind: 'placeholder', text: '[First Name]', message: "line 1: a placeholder '[First Name]'" },
      { field: 'body', line: 5, kind: 'empty_bullet', text: '- ', message: "line 5: an empty bullet '- '" },
    ];
    const { body } = render(PlanNotes, { props: { plan: { ...base, holes } } });
    const block = text(body.match(/<div[^>]*data-testid="holes"[^>]*>[\s\S]*?<\/div>/)?.[0] ?? '');
    expect(block).toContain("line 1: a placeholder '[First Name]'");
    expect(block).toContain("line 5: an empty bullet '- '");
    expect(block).toContain('Send it as it is anyway');
    expect(body).toMatch(/<input[^>]*type="checkbox"[^>]*data-testid="allow-template"/);
  });

  it('says nothing about template text when there is none', () => {
    const { body } = render(PlanNotes, { props: { plan: base } });
    expect(body).not.toContain('data-testid="holes"');
  });
});
