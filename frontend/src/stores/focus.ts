// focus.ts: the pure rules for which move has focus in a list that changes
// under the user's fingers. The queue store uses them; tests check them.

/** step moves focus by delta within ids, clamped at both ends. */
export function step(ids: readonly number[], current: number | null, delta: number): number | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return delta >= 0 ? ids[0] : ids[ids.length - 1];
  return ids[Math.max(0, Math.min(ids.length - 1, i + delta))];
}

/**
 * afterRemoval says where focus goes when `removed` leaves the list: the
 * move after it, else the one before it, else nothing.
 */
export function afterRemoval(ids: readonly number[], removed: number, current: number | null): number | null {
  if (current !== removed && current !== null && ids.includes(current)) return current;
  const i = ids.indexOf(removed);
  if (i < 0) return ids.find((x) => x !== removed) ?? null;
  if (i + 1 < ids.length) return ids[i + 1];
  if (i > 0) return ids[i - 1];
  return null;
}

/**
 * keep says where focus goes when the list is replaced (a live refresh):
 * the same move if it is still there; else the first move that followed it
 * and survived; else whatever now stands at its old position (or the last).
 */
export function keep(oldIds: readonly number[], newIds: readonly number[], current: number | null): number | null {
  if (newIds.length === 0) return null;
  if (current === null) return newIds[0];
  if (newIds.includes(current)) return current;
  const present = new Set(newIds);
  const i = oldIds.indexOf(current);
  if (i >= 0) {
    for (let j = i + 1; j < oldIds.length; j++) if (present.has(oldIds[j])) return oldIds[j];
    return newIds[Math.min(i, newIds.length - 1)];
  }
  return newIds[0];
}
