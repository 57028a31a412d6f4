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
 * clock renders an instant in the browser's zone (the laptop's), in the
 * form the CLI and the reasons use: "today 15:30", "tomorrow 09:00",
 * "yesterday 18:30", the weekday within the coming week ("Fri 14:00"),
 * else "Tue 24 Nov 09:00" (with the year when it is not this year's).
 * Written by hand: the first Intl call costs more than drawing the whole
 * list.
 */
export function clock(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const n = new Date(now);
  // Calendar days apart, counted on dates so a DST day is still one day.
  const days = Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(n.getFullYear(), n.getMonth(), n.getDate())) / 86400000);
  let day: string;
  if (days === 0) day = s.time.today;
  else if (days === 1) day = s.time.tomorrow;
  else if (days === -1) day = s.time.yesterday;
  else if (days > 1 && days < 7) day = s.time.weekdays[d.getDay()];
  else {
    day = `${s.time.weekdays[d.getDay()]} ${d.getDate()} ${s.time.months[d.getMonth()]}`;
    if (d.getFullYear() !== n.getFullYear()) day += ` ${d.getFullYear()}`;
  }
  return `${day} ${hm}`;
}

/** componentSum adds the four contributions of a score. */
export function componentSum(sc: { revenue: { contribution: number }; urgency: { contribution: number }; effort: { contribution: number }; strategic: { contribution: number } }): number {
  return sc.revenue.contribution + sc.urgency.contribution + sc.effort.contribution + sc.strategic.contribution;
}
