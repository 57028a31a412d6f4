// fuzzy.ts: a small subsequence matcher for the command palette.

/**
 * fuzzyScore returns a score (higher is better) when every character of
 * query appears in text in order, else null. Consecutive characters and
 * word starts score more; an empty query matches everything with 0.
 */
export function fuzzyScore(query: string, text: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const t = text.toLowerCase();
  let score = 0;
  let ti = 0;
  let prev = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    const i = t.indexOf(ch, ti);
    if (i < 0) return null;
    score += 1;
    if (i === prev + 1) score += 3;
    if (i === 0 || /[\s\-_/:.(]/.test(t[i - 1])) score += 2;
    score -= Math.min(i - ti, 5) * 0.1;
    prev = i;
    ti = i + 1;
  }
  if (t.startsWith(q)) score += 5;
  return score;
}

/** fuzzyFilter keeps the items that match, best first (stable for ties). */
export function fuzzyFilter<T>(query: string, items: T[], text: (x: T) => string): T[] {
  if (!query.trim()) return items.slice();
  return items
    .map((x, i) => ({ x, i, s: fuzzyScore(query, text(x)) }))
    .filter((r) => r.s !== null)
    .sort((a, b) => b.s! - a.s! || a.i - b.i)
    .map((r) => r.x);
}
