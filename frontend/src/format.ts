// format.ts: numbers, times and bands as people read them.
import { s } from './strings';

/** band names the APS colour band: ≥80 hot, ≥60 warm, ≥40 mild, else cool. */
export function band(aps: number): 'hot' | 'warm' | 'mild' | 'cool' {
  if (aps >= 80) return 'hot';
  if (aps >= 60) return 'warm';
  if (aps >= 40) return 'mild';
  return 'cool';
}

/** count groups thousands: 100000 → "100,000" (no Intl on the first draw). */
export function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function fmt1(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

/** fmtWeight shows a weight without trailing zeros: 0.4, 0.25. */
export function fmtNum(n: number, digits = 3): string {
  return String(Math.round(n * 10 ** digits) / 10 ** digits);
}

function span(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60000);
  if (m < 60) return s.time.minutes(Math.max(m, 1));
  const h = Math.round(m / 60);
  if (h < 48) return s.time.hours(h);
  return s.time.days(Math.round(h / 24));
}

/** relative renders an instant relative to now: "in 3 h", "20 min ago". */
export function relative(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const d = t - now;
  if (Math.abs(d) < 60000) return s.time.now;
  return d > 0 ? s.time.in(span(d)) : s.time.ago(span(d));
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * clock renders an instant in local time: "15:30" today, else "Tue 09:00",
 * else "Nov 24 09:00". Written by hand: the first Intl call costs more than
 * drawing the whole list.
 */
export function clock(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date(now);
  if (d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) return hm;
  const within6d = Math.abs(d.getTime() - now) < 6 * 86400000;
  const day = within6d ? s.time.weekdays[d.getDay()] : `${s.time.months[d.getMonth()]} ${d.getDate()}`;
  return `${day} ${hm}`;
}

/** componentSum adds the four contributions of a score. */
export function componentSum(sc: { revenue: { contribution: number }; urgency: { contribution: number }; effort: { contribution: number }; strategic: { contribution: number } }): number {
  return sc.revenue.contribution + sc.urgency.contribution + sc.effort.contribution + sc.strategic.contribution;
}
