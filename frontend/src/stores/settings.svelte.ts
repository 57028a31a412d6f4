// settings.svelte.ts: the settings form — a working copy of SettingsDTO,
// checked here (weights add up to 1) and by the server on save.
import type { Api, ApiError, ICPRule, SettingsDTO, WorkingHoursDTO } from '../api';
import { toApiError } from '../api';
import { normalizeReplyFacts, replyFactsProblem, replyFactsToWire } from './replyfacts';

/** weightSum adds the four APS weights. */
export function weightSum(w: SettingsDTO['weights']): number {
  return (Number(w.revenue) || 0) + (Number(w.urgency) || 0) + (Number(w.effort) || 0) + (Number(w.strategic) || 0);
}

export function weightsOK(w: SettingsDTO['weights']): boolean {
  return Math.abs(weightSum(w) - 1) < 0.001;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** The ICP rule fields and the operators each accepts (backend/icp.go). */
export const icpFieldOps: Record<string, string[]> = {
  'company.industry': ['in', 'contains_any'],
  'company.employees': ['between'],
  'company.country': ['in'],
  'company.tags': ['in'],
  'contact.title': ['in', 'contains_any'],
  'contact.lifecycle': ['in'],
};

export function emptyRule(): ICPRule {
  return { field: 'company.industry', op: 'in', values: [], min: 0, max: 0, weight: 0.1, label: '' };
}

export class SettingsStore {
  /** What the server holds. */
  saved = $state.raw<SettingsDTO | null>(null);
  /** The form's working copy (deeply reactive). */
  draft = $state<SettingsDTO | null>(null);
  loading = $state(false);
  saving = $state(false);
  error = $state.raw<ApiError | null>(null);
  message = $state('');

  constructor(private api: Pick<Api, 'Settings' | 'SaveSettings'> & Partial<Pick<Api, 'ResetLearning'>>) {}

  dirty = $derived(!!this.draft && !!this.saved && JSON.stringify(this.draft) !== JSON.stringify(this.saved));
  sum = $derived(this.draft ? weightSum(this.draft.weights) : 0);
  valid = $derived(!!this.draft && weightsOK(this.draft.weights) && !replyFactsProblem(this.draft.pricing, this.draft.facts) && hoursOK(this.draft.working_hours));

  async load(): Promise<void> {
    this.loading = true;
    try {
      const s = await this.api.Settings();
      this.saved = normalize(s);
      this.draft = clone(normalize(s));
      this.error = null;
    } catch (e) {
      this.error = toApiError(e);
    } finally {
      this.loading = false;
    }
  }

  reset(): void {
    if (this.saved) this.draft = clone(normalize(this.saved));
    this.error = null;
    this.message = '';
  }

  addRule(): void {
    this.draft?.icp.rules.push(emptyRule());
  }

  removeRule(i: number): void {
    this.draft?.icp.rules.splice(i, 1);
  }

  /** resetLearning forgets the learned statistics (outcomes are kept); unsaved edits stay in the form. */
  async resetLearning(doneMessage: string): Promise<boolean> {
    if (!this.api.ResetLearning) return false;
    const wasDirty = this.dirty;
    this.saving = true;
    this.message = '';
    try {
      const s = await this.api.ResetLearning('click');
      this.saved = normalize(s);
      if (!wasDirty) this.draft = clone(normalize(s));
      this.error = null;
      this.message = doneMessage;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.saving = false;
    }
  }

  async save(savedMessage: string): Promise<boolean> {
    if (!this.draft) return false;
    if (!weightsOK(this.draft.weights)) {
      this.error = { code: 'invalid', message: 'The weights must add up to 1.00' };
      return false;
    }
    const problem = replyFactsProblem(this.draft.pricing, this.draft.facts);
    if (problem) {
      this.error = { code: 'invalid', message: problem };
      return false;
    }
    if (!hoursOK(this.draft.working_hours)) {
      this.error = { code: 'invalid', message: 'Working hours must start before they end, on quarter hours' };
      return false;
    }
    this.saving = true;
    this.message = '';
    try {
      const s = await this.api.SaveSettings(toWire($state.snapshot(this.draft) as SettingsDTO));
      this.saved = normalize(s);
      this.draft = clone(normalize(s));
      this.error = null;
      this.message = savedMessage;
      return true;
    } catch (e) {
      this.error = toApiError(e);
      return false;
    } finally {
      this.saving = false;
    }
  }
}

/** normalize fills the optional parts so the form can bind to them. */
export function normalize(s: SettingsDTO): SettingsDTO {
  return {
    ...s,
    weights: { revenue: s.weights?.revenue ?? 0, urgency: s.weights?.urgency ?? 0, effort: s.weights?.effort ?? 0, strategic: s.weights?.strategic ?? 0 },
    icp: { base: s.icp?.base ?? 0, rules: (s.icp?.rules ?? []).map((r) => ({ ...r, values: r.values ?? [] })) },
    daily_caps: { ...(s.daily_caps ?? {}) },
    ...normalizeReplyFacts(s),
    competitors: [...(s.competitors ?? [])],
    working_hours: { ...defaultHours, ...(s.working_hours ?? {}) },
    ...(s.learning ? { learning: { ...s.learning } } : {}),
    ...(s.notifications ? { notifications: { ...s.notifications } } : {}),
  };
}

/** toWire turns form values (strings from inputs) back into numbers. */
export function toWire(s: SettingsDTO): SettingsDTO {
  const n = (x: unknown) => (x === '' || x === null || x === undefined ? undefined : Number(x));
  return {
    ...s,
    weights: {
      revenue: Number(s.weights.revenue),
      urgency: Number(s.weights.urgency),
      effort: Number(s.weights.effort),
      strategic: Number(s.weights.strategic),
    },
    icp: {
      base: Number(s.icp.base),
      rules: s.icp.rules.map((r) => ({
        ...r,
        values: (r.values ?? []).map((v) => String(v).trim()).filter(Boolean),
        min: n(r.min) ?? 0, // what the Go side reads for an absent one
        max: n(r.max) ?? 0,
        weight: Number(r.weight),
      })),
    },
    undo_window_seconds: Number(s.undo_window_seconds),
    today_limit: Number(s.today_limit),
    stalled_deal_days: Number(s.stalled_deal_days),
    daily_caps: Object.fromEntries(Object.entries(s.daily_caps).filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), Number(v)])),
    ...replyFactsToWire(s),
    competitors: parseCompetitors((s.competitors ?? []).join(',')),
    working_hours: s.working_hours && { start_minutes: Number(s.working_hours.start_minutes), end_minutes: Number(s.working_hours.end_minutes) },
    learning: s.learning && {
      on: !!s.learning.on,
      max_points: Number(s.learning.max_points),
      half_life_days: Number(s.learning.half_life_days),
      prior_strength: Number(s.learning.prior_strength),
    },
  };
}

/** The working day when none is stored: 9:00–17:00, as the server reads it. */
export const defaultHours: WorkingHoursDTO = { start_minutes: 540, end_minutes: 1020 };

/** clockOf renders minutes from midnight as "HH:MM" (an <input type="time"> value). */
export function clockOf(minutes: number): string {
  const m = Math.max(0, Math.min(1440, Math.round(Number(minutes) || 0)));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** minutesOf reads "HH:MM" (or "H:MM"), or null when it is not a time of day. */
export function minutesOf(clock: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(clock);
  if (!m) return null;
  const h = Number(m[1]), mi = Number(m[2]);
  if (h > 24 || mi > 59 || (h === 24 && mi > 0)) return null;
  return h * 60 + mi;
}

/** hoursOK checks what the server does: start before end, quarter hours, at least 30 minutes. */
export function hoursOK(w: WorkingHoursDTO | undefined): boolean {
  if (!w) return true;
  const a = Number(w.start_minutes), b = Number(w.end_minutes);
  return Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b <= 1440 && b - a >= 30 && a % 15 === 0 && b % 15 === 0;
}

/** parseCompetitors splits a typed list on commas and new lines, trims, and keeps each name once (any case). */
export function parseCompetitors(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,\n]/)) {
    const name = raw.trim().replace(/\s+/g, ' ');
    if (name && !seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      out.push(name);
    }
  }
  return out;
}
