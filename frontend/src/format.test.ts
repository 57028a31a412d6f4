import { describe, expect, it } from 'vitest';
import { band, clock, count, relative } from './format';

describe('format', () => {
  it('bands the APS at 80 / 60 / 40', () => {
    expect([95.1, 80, 79.9, 60, 59.9, 40, 39.9, 0].map(band)).toEqual(['hot', 'hot', 'warm', 'warm', 'mild', 'mild', 'cool', 'cool']);
  });
  it('groups thousands', () => {
    expect(count(100000)).toBe('100,000');
    expect(count(999)).toBe('999');
    expect(count(1234567)).toBe('1,234,567');
  });
  it('reads times relative to now', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(relative('2026-11-22T14:00:00Z', now)).toBe('in 2 h');
    expect(relative('2026-11-22T11:40:00Z', now)).toBe('20 min ago');
    expect(relative('2026-11-25T12:00:00Z', now)).toBe('in 3 d');
    expect(relative(undefined, now)).toBe('');
  });
  it('shows a clock time today and a weekday within the week', () => {
    const now = new Date(2026, 10, 22, 12, 0).getTime();
    expect(clock(new Date(2026, 10, 22, 15, 30).toISOString(), now)).toBe('15:30');
    expect(clock(new Date(2026, 10, 24, 9, 0).toISOString(), now)).toBe('Tue 09:00');
    expect(clock(new Date(2026, 11, 24, 9, 5).toISOString(), now)).toBe('Dec 24 09:05');
  });
});
