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
  it('shows today, tomorrow, a weekday within the week, else the date', () => {
    const now = new Date(2026, 10, 22, 12, 0).getTime(); // Sun 22 Nov, local
    const at = (mo: number, d: number, h: number, mi: number) => new Date(2026, mo, d, h, mi).toISOString();
    expect(clock(at(10, 22, 15, 30), now)).toBe('today 15:30');
    expect(clock(at(10, 23, 9, 0), now)).toBe('tomorrow 09:00');
    expect(clock(at(10, 21, 18, 30), now)).toBe('yesterday 18:30');
    expect(clock(at(10, 24, 9, 0), now)).toBe('Tue 09:00');
    expect(clock(at(10, 19, 9, 0), now)).toBe('Thu 19 Nov 09:00');
    expect(clock(at(11, 24, 9, 5), now)).toBe('Thu 24 Dec 09:05');
    expect(clock(new Date(2027, 0, 5, 14, 0).toISOString(), now)).toBe('Tue 5 Jan 2027 14:00');
    expect(clock(undefined, now)).toBe('');
    expect(clock('not a time', now)).toBe('');
  });
  it('counts calendar days across DST changes', () => {
    // Europe and North America change clocks on these nights; elsewhere they are ordinary days.
    expect(clock(new Date(2026, 2, 29, 23, 45).toISOString(), new Date(2026, 2, 29, 0, 30).getTime())).toBe('today 23:45');
    expect(clock(new Date(2026, 2, 30, 0, 30).toISOString(), new Date(2026, 2, 29, 0, 30).getTime())).toBe('tomorrow 00:30');
    expect(clock(new Date(2026, 9, 25, 23, 45).toISOString(), new Date(2026, 9, 25, 0, 30).getTime())).toBe('today 23:45');
    expect(clock(new Date(2026, 10, 2, 0, 15).toISOString(), new Date(2026, 10, 1, 0, 15).getTime())).toBe('tomorrow 00:15');
  });
  it("reads an instant in the browser's zone", () => {
    // Run under TZ=Europe/Berlin, America/Los_Angeles or Asia/Kathmandu
    // (npm test runs in the machine's zone): the same instant, the local clock.
    const now = Date.parse('2026-12-07T09:00:00Z');
    const want: Record<string, [string, string]> = {
      'Europe/Berlin': ['tomorrow 00:30', 'Sun 29 Mar 09:00'],
      'America/Los_Angeles': ['today 15:30', 'Sun 29 Mar 00:00'],
      'Asia/Kathmandu': ['tomorrow 05:15', 'Sun 29 Mar 12:45'],
      UTC: ['today 23:30', 'Sun 29 Mar 07:00'],
      'Etc/UTC': ['today 23:30', 'Sun 29 Mar 07:00'],
    };
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const w = want[tz];
    if (!w) return;
    expect(clock('2026-12-07T23:30:00Z', now)).toBe(w[0]);
    expect(clock('2026-03-29T07:00:00Z', now)).toBe(w[1]);
  });
});
