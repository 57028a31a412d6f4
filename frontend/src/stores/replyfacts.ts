// replyfacts.ts: the price list and the facts list reply drafts answer
// from (Settings → "What replies may say"), edited in the settings form's
// working copy. The server checks them again on save (backend/compose_settings.go);
// these checks say the same things before a round trip.
import type { FactDTO, PriceTierDTO, PricingDTO, SettingsDTO } from '../api';

/** The topics a fact answers: the classifier's question topics. */
export const factTopics = ['pricing', 'security', 'compliance', 'integration', 'seats', 'trial', 'contract', 'onboarding', 'data', 'other'] as const;

/** The currencies offered first; any three-letter code is accepted. */
export const currencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF'] as const;

/** nextTier starts where the last tier ends (an open last tier is closed at twice its start). */
export function nextTier(tiers: PriceTierDTO[]): PriceTierDTO {
  const last = tiers[tiers.length - 1];
  if (!last) return { name: '', min_seats: 1, max_seats: 0, seat_price: 0 };
  const lastMin = Number(last.min_seats) || 1;
  if (!Number(last.max_seats)) last.max_seats = lastMin * 2 - 1 || lastMin;
  return { name: '', min_seats: Number(last.max_seats) + 1, max_seats: 0, seat_price: 0 };
}

export function emptyFact(topic: string = 'security'): FactDTO {
  return { topic, keywords: [], text: '' };
}

/** splitKeywords reads a comma-separated keywords field. */
export function splitKeywords(s: string): string[] {
  return s
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/**
 * replyFactsProblem names the first thing the server would refuse, or
 * returns '' when both lists are fine.
 */
export function replyFactsProblem(pricing: PricingDTO | undefined, facts: FactDTO[] | undefined): string {
  const tiers = pricing?.tiers ?? [];
  if (tiers.length) {
    if (!/^[A-Za-z]{3}$/.test((pricing?.currency ?? '').trim())) return 'The price list needs a three-letter currency code such as USD.';
    for (let i = 0; i < tiers.length; i++) {
      const t = tiers[i];
      const name = t.name.trim() ? `Tier “${t.name.trim()}”` : `Tier ${i + 1}`;
      if (!t.name.trim()) return `${name} needs a name.`;
      const price = Number(t.seat_price);
      if (String(t.seat_price).trim() === '' || !Number.isFinite(price) || price < 0) return `${name}: the seat price must be zero or more.`;
      const min = Number(t.min_seats),
        max = Number(t.max_seats) || 0;
      if (!Number.isInteger(min) || min < 1) return `${name}: the smallest seat count must be at least 1.`;
      if (max && max < min) return `${name}: the largest seat count is below the smallest.`;
      if (i > 0) {
        const prevMax = Number(tiers[i - 1].max_seats) || 0;
        if (!prevMax || min <= prevMax) return `${name} overlaps the tier before it: each tier starts above the one before.`;
      }
    }
  }
  for (let i = 0; i < (facts ?? []).length; i++) {
    const f = facts![i];
    if (!factTopics.includes(f.topic as (typeof factTopics)[number])) return `Fact ${i + 1}: pick a topic.`;
    if (!f.text.trim()) return `Fact ${i + 1} (${f.topic}) has no text: write what a reply should say.`;
    if (/\[[^\]\d:/]*[A-Za-z][^\]\d:/]*\](?![(:])|\{\{|\bTODO\b/.test(f.text)) return `Fact ${i + 1} (${f.topic}) holds template text; every draft quoting it would be refused.`;
  }
  return '';
}

/** normalizeReplyFacts fills the parts the form binds to. */
export function normalizeReplyFacts(s: SettingsDTO): Pick<SettingsDTO, 'pricing' | 'facts'> {
  return {
    pricing: { currency: s.pricing?.currency ?? '', tiers: (s.pricing?.tiers ?? []).map((t) => ({ ...t, max_seats: t.max_seats ?? 0 })) },
    facts: (s.facts ?? []).map((f) => ({ ...f, keywords: f.keywords ?? [] })),
  };
}

/** replyFactsToWire turns form values (strings from inputs) into what the server reads. */
export function replyFactsToWire(s: SettingsDTO): Pick<SettingsDTO, 'pricing' | 'facts'> {
  const tiers = (s.pricing?.tiers ?? []).map((t) => ({
    name: String(t.name).trim(),
    min_seats: Number(t.min_seats),
    max_seats: Number(t.max_seats) || 0,
    seat_price: Number(t.seat_price),
  }));
  return {
    pricing: { currency: tiers.length ? String(s.pricing?.currency ?? '').trim().toUpperCase() : '', tiers },
    facts: (s.facts ?? []).map((f) => ({ topic: f.topic, keywords: (f.keywords ?? []).map((k) => k.trim()).filter(Boolean), text: f.text.trim() })),
  };
}
