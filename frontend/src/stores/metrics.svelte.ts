// metrics.svelte.ts: what the moves carried out achieved, per week and per
// kind (StatsService.Metrics, the numbers `caseyos stats` prints), and the
// series the Metrics view's charts draw from them.
import type { Api, ApiError, MetricsDTO, MetricsRowDTO, MetricsWeekDTO } from '../api';
import { toApiError } from '../api';

export const metricsWeeks = 8;

/** Series are the charts' data: one value per week, oldest first, x in unix seconds. */
export interface Series {
  x: number[];
  executed: number[];
  replied: number[];
  /** Positive replies / emails and X replies carried out, in percent; null for a week with none. */
  positiveRate: (number | null)[];
  /** Minutes saved, per week. */
  minutesSaved: number[];
}

/** weekTime is the unix time (seconds) of a week's Monday, a YYYY-MM-DD date, read as UTC midnight. */
export function weekTime(date: string): number {
  return Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 1000;
}

export function series(weeks: MetricsWeekDTO[]): Series {
  return {
    x: weeks.map((w) => weekTime(w.start)),
    executed: weeks.map((w) => w.total.executed),
    replied: weeks.map((w) => w.total.replied),
    positiveRate: weeks.map((w) => (w.total.positive_reply_rate === null ? null : round1(w.total.positive_reply_rate * 100))),
    minutesSaved: weeks.map((w) => w.total.minutes_saved),
  };
}

/** percent writes a rate as a whole percentage, "–" when it has no denominator. */
export function percent(r: number | null): string {
  return r === null ? '–' : `${Math.round(r * 100)}%`;
}

/** rows is a week's table rows: each kind carried out, then the total (kind "all"). */
export function rows(w: MetricsWeekDTO): MetricsRowDTO[] {
  return [...w.kinds, { ...w.total, kind: 'all' }];
}

/** totals sums the weeks' counts (the rates are recomputed from the sums, with the same denominators). */
export function totals(weeks: MetricsWeekDTO[]): MetricsRowDTO {
  const t: MetricsRowDTO = {
    kind: 'all', executed: 0, replied: 0, positive_replies: 0, meetings_booked: 0, deals_advanced: 0, deals_won: 0,
    auto_approved: 0, minutes_saved: 0, follow_ups_sent: 0, follow_ups_answered: 0, reply_base: 0, reply_rate: null, positive_reply_rate: null, auto_approved_share: null,
  };
  for (const w of weeks) {
    const r = w.total;
    t.executed += r.executed;
    t.replied += r.replied;
    t.positive_replies += r.positive_replies;
    t.meetings_booked += r.meetings_booked;
    t.deals_advanced += r.deals_advanced;
    t.deals_won += r.deals_won;
    t.auto_approved += r.auto_approved;
    t.minutes_saved += r.minutes_saved;
    t.follow_ups_sent += r.follow_ups_sent;
    t.follow_ups_answered += r.follow_ups_answered;
    t.reply_base += r.reply_base;
  }
  t.reply_rate = t.reply_base ? t.replied / t.reply_base : null;
  t.positive_reply_rate = t.reply_base ? t.positive_replies / t.reply_base : null;
  t.auto_approved_share = t.executed ? t.auto_approved / t.executed : null;
  return t;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export class MetricsStore {
  data = $state.raw<MetricsDTO | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<ApiError | null>(null);

  constructor(private api: Pick<Api, 'Metrics'>) {}

  series = $derived<Series>(series(this.data?.weeks ?? []));
  totals = $derived<MetricsRowDTO>(totals(this.data?.weeks ?? []));
  /** Newest week first, as the table reads. */
  newestFirst = $derived<MetricsWeekDTO[]>([...(this.data?.weeks ?? [])].reverse());

  async load(weeks = metricsWeeks): Promise<void> {
    this.loading = true;
    try {
      this.data = await this.api.Metrics(weeks);
      this.error = null;
      this.loaded = true;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }
}
