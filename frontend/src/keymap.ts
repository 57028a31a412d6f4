// keymap.ts is the single shortcut registry of the UI: every shortcut is a
// Binding registered here, one keydown listener dispatches them, and the
// help overlay (?) and the command palette (mod+K) are generated from the
// same list. `mod` is ⌘ on macOS and Ctrl elsewhere.

/** The parts of a KeyboardEvent the keymap reads (so tests need no DOM). */
export interface KeyEventLike {
  key: string;
  metaKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
  repeat?: boolean;
  isComposing?: boolean;
  target?: unknown;
  preventDefault?(): void;
  stopPropagation?(): void;
}

export interface Binding {
  /** Stable action id, e.g. "queue.skip". */
  id: string;
  /** Key specs: "j", "ArrowDown", "mod+k", "shift+?", "space". Empty: palette only. */
  keys: string[];
  label: string;
  group: string;
  run: (ev?: KeyEventLike) => void;
  /** The binding is active only while this returns true. */
  when?: () => boolean;
  /** Also fires while focus is in a text field (only Escape should). */
  inInput?: boolean;
  /** Listed in the command palette (default true). */
  palette?: boolean;
  /** Listed in the help overlay (default: when it has keys). */
  help?: boolean;
  /** Lets the browser keep its default for the key (default: prevented). */
  keepDefault?: boolean;
}

interface Chord {
  key: string; // normalized: lowercase letter, or a name like "arrowdown", "enter", "space", "?"
  mod: boolean;
  shift: boolean;
  alt: boolean;
}

export function isMacPlatform(platform?: string): boolean {
  if (platform === undefined) {
    const nav = typeof navigator !== 'undefined' ? (navigator as Navigator & { userAgentData?: { platform?: string } }) : undefined;
    platform = nav?.userAgentData?.platform || nav?.platform || '';
  }
  return /mac|iphone|ipad|ipod/i.test(platform);
}

function normKey(key: string): string {
  if (key === ' ' || key.toLowerCase() === 'space' || key === 'Spacebar') return 'space';
  if (key.toLowerCase() === 'esc') return 'escape';
  return key.toLowerCase();
}

export function parseChord(spec: string): Chord {
  // "mod++" is not supported; a literal "+" key is written "plus".
  const parts = spec.split('+');
  const key = parts.pop() ?? '';
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  return { key: key === 'plus' ? '+' : normKey(key), mod: mods.has('mod'), shift: mods.has('shift'), alt: mods.has('alt') };
}

const textInputTypes = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image']);

/** isTyping says whether the event target is a field the user types into. */
export function isTyping(target: unknown): boolean {
  const el = target as { tagName?: string; type?: string; isContentEditable?: boolean } | null | undefined;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !textInputTypes.has((el.type ?? 'text').toLowerCase());
  return el.isContentEditable === true;
}

function isActivatable(target: unknown): boolean {
  const el = target as { tagName?: string } | null | undefined;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toUpperCase();
  return tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || tag === 'INPUT';
}

const keyNames: Record<string, string> = {
  arrowdown: '↓',
  arrowup: '↑',
  arrowleft: '←',
  arrowright: '→',
  enter: 'Enter',
  escape: 'Esc',
  space: 'Space',
  tab: 'Tab',
  backspace: '⌫',
};

export class Keymap {
  readonly isMac: boolean;
  private list: Binding[] = [];

  constructor(opts: { platform?: string } = {}) {
    this.isMac = isMacPlatform(opts.platform);
  }

  /** register adds bindings and returns a function that removes them. */
  register(b: Binding | Binding[]): () => void {
    const added = Array.isArray(b) ? b : [b];
    for (const x of added) {
      if (this.list.some((y) => y.id === x.id)) throw new Error(`keymap: duplicate action id ${x.id}`);
    }
    this.list.push(...added);
    return () => {
      this.list = this.list.filter((x) => !added.includes(x));
    };
  }

  bindings(): readonly Binding[] {
    return this.list;
  }

  private active(b: Binding): boolean {
    return !b.when || b.when();
  }

  private matches(c: Chord, e: KeyEventLike): boolean {
    const key = normKey(e.key);
    if (key !== c.key) return false;
    const modPressed = this.isMac ? !!e.metaKey : !!e.ctrlKey;
    const otherPressed = this.isMac ? !!e.ctrlKey : !!e.metaKey;
    if (modPressed !== c.mod || otherPressed) return false;
    if (!!e.altKey !== c.alt) return false;
    // Shift matters for letters and named keys; for symbols ("?", "/") it
    // is part of how the character is typed on a given keyboard layout.
    const symbol = key.length === 1 && !/[a-z0-9]/.test(key);
    if (!symbol && !!e.shiftKey !== c.shift) return false;
    return true;
  }

  /** find returns the binding a key event would run, if any. */
  find(e: KeyEventLike): Binding | undefined {
    if (e.isComposing) return undefined;
    const typing = isTyping(e.target);
    const key = normKey(e.key);
    if ((key === 'enter' || key === 'space') && isActivatable(e.target)) return undefined;
    // Later registrations win, so an overlay can shadow the list's keys.
    for (let i = this.list.length - 1; i >= 0; i--) {
      const b = this.list[i];
      if (typing && !b.inInput) continue;
      if (!b.keys.some((k) => this.matches(parseChord(k), e))) continue;
      if (!this.active(b)) continue;
      return b;
    }
    return undefined;
  }

  /** handle dispatches one key event; it returns whether a binding ran. */
  handle(e: KeyEventLike): boolean {
    const b = this.find(e);
    if (!b) return false;
    if (!b.keepDefault) e.preventDefault?.();
    b.run(e);
    return true;
  }

  /** run runs an action by id (the palette and mouse controls use this). */
  run(id: string): boolean {
    const b = this.list.find((x) => x.id === id);
    if (!b || !this.active(b)) return false;
    b.run();
    return true;
  }

  /** attach installs the one keydown listener on target (window). */
  attach(target: { addEventListener: EventTarget['addEventListener']; removeEventListener: EventTarget['removeEventListener'] }): () => void {
    const listener = (e: Event) => {
      this.handle(e as KeyboardEvent);
    };
    target.addEventListener('keydown', listener);
    return () => target.removeEventListener('keydown', listener);
  }

  /** display renders a key spec for people: "mod+k" → "⌘K" or "Ctrl+K". */
  display(spec: string): string {
    const c = parseChord(spec);
    const key = keyNames[c.key] ?? (c.key.length === 1 ? c.key.toUpperCase() : c.key);
    const mods: string[] = [];
    if (this.isMac) {
      if (c.alt) mods.push('⌥');
      if (c.shift) mods.push('⇧');
      if (c.mod) mods.push('⌘');
      return mods.join('') + key;
    }
    if (c.mod) mods.push('Ctrl');
    if (c.alt) mods.push('Alt');
    if (c.shift) mods.push('Shift');
    return [...mods, key].join('+');
  }

  /** help lists the shortcuts by group, generated from the registry. */
  help(): { group: string; items: { id: string; label: string; keys: string[] }[] }[] {
    const groups = new Map<string, { id: string; label: string; keys: string[] }[]>();
    for (const b of this.list) {
      if (b.help === false || (b.help === undefined && b.keys.length === 0)) continue;
      let g = groups.get(b.group);
      if (!g) groups.set(b.group, (g = []));
      g.push({ id: b.id, label: b.label, keys: b.keys.map((k) => this.display(k)) });
    }
    return [...groups].map(([group, items]) => ({ group, items }));
  }

  /** actions lists what the command palette offers right now. */
  actions(): { id: string; label: string; group: string; keys: string[] }[] {
    return this.list
      .filter((b) => b.palette !== false && this.active(b))
      .map((b) => ({ id: b.id, label: b.label, group: b.group, keys: b.keys.map((k) => this.display(k)) }));
  }
}
