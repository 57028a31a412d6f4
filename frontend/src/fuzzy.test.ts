import { describe, expect, it } from 'vitest';
import { fuzzyFilter, fuzzyScore } from './fuzzy';

describe('fuzzy', () => {
  it('matches subsequences and ranks word starts and runs first', () => {
    expect(fuzzyScore('skp', 'Skip the move')).not.toBeNull();
    expect(fuzzyScore('xyz', 'Skip the move')).toBeNull();
    const items = ['Go to Settings', 'Skip the move', 'Snooze the move…', 'Show Sales'];
    expect(fuzzyFilter('sk', items, (x) => x)[0]).toBe('Skip the move');
    expect(fuzzyFilter('set', items, (x) => x)[0]).toBe('Go to Settings');
    expect(fuzzyFilter('', items, (x) => x)).toEqual(items);
  });
});
