// MeetingSlots rendered on its own (svelte/server: no DOM needed).
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { ExecutionPreviewDTO, Plan } from '../../api';
import MeetingSlots from './MeetingSlots.svelte';

const slots = [
  { start: '2026-12-10T17:00:00Z', end: '2026-12-10T17:30:00Z' },
  { start: '2026-12-10T18:00:00Z', end: '2026-12-10T18:30:00Z' },
  { start: '2026-12-10T19:00:00Z', end: '2026-12-10T19:30:00Z' },
];
const preview = (effects: string[], withSlots = slots): ExecutionPreviewDTO => ({
  move_id: 9,
  kind: 'schedule_meeting',
  summary: 'Propose meeting times to dana@northwind.io and book the one chosen',
  draft_effects: [],
  draft: {},
  action: 'schedule_meeting',
  account: 'gcal',
  hash: 'h',
  effects,
  undo: 'Rollback cancels the event and tells the guests.',
  undo_window_seconds: 0,
  plan: { meeting: { title: 'Northwind × Casey', attendees: ['dana@northwind.io'], start: withSlots[0]?.start ?? '', end: '', time_zone: 'America/New_York', meet: true, slots: withSlots } } as unknown as Plan,
});

const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('MeetingSlots', () => {
  it('lists each free slot, marks the one booked and says they are inside what was proposed', () => {
    const { body } = render(MeetingSlots, {
      props: {
        plan: preview([
          'Book “Northwind × Casey” Thu 10 Dec 12:00–12:30 EST with dana@northwind.io, with a Meet link; invitations are sent',
          'They proposed thursday afternoon: every slot is inside it',
          'Slot 1: Thu 10 Dec 12:00 EST',
          'Slot 2: Thu 10 Dec 13:00 EST',
          'Slot 3: Thu 10 Dec 14:00 EST',
        ]),
      },
    });
    expect(body.match(/data-slot-start=/g)?.length).toBe(3);
    const t = text(body);
    expect(t).toContain('Thu 10 Dec 12:00 EST — this one is booked');
    expect(t).toContain('Thu 10 Dec 14:00 EST');
    expect(t).not.toContain('Slot 3:');
    expect(t).toContain('They proposed thursday afternoon: every slot is inside it');
    expect(t).toContain('America/New_York');
  });

  it('shows nothing for a plan without a meeting', () => {
    const { body } = render(MeetingSlots, { props: { plan: { ...preview([], []), plan: null } } });
    expect(body).not.toContain('meeting-slots');
  });
});
