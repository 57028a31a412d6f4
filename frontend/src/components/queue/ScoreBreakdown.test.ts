// ScoreBreakdown rendered on its own (svelte/server): the four components
// and, when the move's kind learns, the fifth, labelled learned line.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { LearnedDTO, MoveDTO } from '../../api';
import ScoreBreakdown from './ScoreBreakdown.svelte';

const comp = (value: number, weight: number, contribution: number, reason: string) => ({ value, weight, contribution, reason });

function move(learned?: LearnedDTO): MoveDTO {
  return {
    id: 7, kind: 'send_email', domain: 'sales', title: 'Reply to Maya', status: 'pending', aps: 78.3 + (learned?.points ?? 0),
    top_reason: 'Maya replied', reasons: ['Maya replied'], subject: 'thread:t1', source: 'gmail', signal_ids: [1],
    score: {
      aps: 78.3 + (learned?.points ?? 0),
      revenue: comp(0.6, 0.4, 24, '$20k expected ARR at Acme'),
      urgency: comp(0.91, 0.25, 22.8, 'reply window closes in 22 hours'),
      effort: comp(0.1, 0.15, 13.5, 'quick win: about 15 min'),
      strategic: comp(0.9, 0.2, 18, 'ICP fit: SaaS company'),
      ...(learned ? { learned } : {}),
    },
    draft: {}, created_at: '2026-11-22T09:00:00Z', updated_at: '2026-11-22T09:00:00Z',
  } as MoveDTO;
}

const text = (html: string) => html.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const sum = (html: string) => html.match(/data-testid="breakdown-sum"[^>]*>([^<]*)</)?.[1];

describe('ScoreBreakdown', () => {
  it('shows the learned line as a fifth row and adds its points to the total', () => {
    const reason = 'learned: emails (sales) to tier-A accounts of 51–200 employees got a positive reply or a meeting 9 of 14 times (64 %, prior 30 %; recent ones weigh more) → +2.9';
    const { body } = render(ScoreBreakdown, { props: { move: move({ points: 2.9, rate: 0.643, prior: 0.3, wins: 9, count: 14, reason }) } });
    expect(body.match(/data-component="/g)).toHaveLength(5);
    expect(body).toContain('data-testid="breakdown-learned"');
    expect(text(body)).toContain('Learned from outcomes = +2.9 ' + reason);
    expect(sum(body)).toBe('= 81.2');
  });

  it('shows a negative learned line with its sign', () => {
    const { body } = render(ScoreBreakdown, { props: { move: move({ points: -4.3, rate: 0.1, prior: 0.3, wins: 1, count: 10, reason: 'learned: … → -4.3' }) } });
    expect(text(body)).toContain('Learned from outcomes = -4.3');
    expect(sum(body)).toBe('= 74.0');
  });

  it('has four rows and the plain total for a kind that learns nothing', () => {
    const { body } = render(ScoreBreakdown, { props: { move: move() } });
    expect(body.match(/data-component="/g)).toHaveLength(4);
    expect(body).not.toContain('breakdown-learned');
    expect(sum(body)).toBe('= 78.3');
  });
});
