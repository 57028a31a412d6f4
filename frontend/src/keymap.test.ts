import { describe, expect, it, vi } from 'vitest';
import { Keymap, isTyping, parseChord, type KeyEventLike } from './keymap';

const ev = (key: string, extra: Partial<KeyEventLike> = {}): KeyEventLike & { prevented: boolean } => {
  const e = { key, prevented: false, preventDefault() { e.prevented = true; }, ...extra };
  return e;
};
const input = { tagName: 'INPUT', type: 'text' };
const textarea = { tagName: 'TEXTAREA' };
const button = { tagName: 'BUTTON' };

describe('Keymap', () => {
  it('dispatches a key to its binding and prevents the default', () => {
    const km = new Keymap({ platform: 'Linux x86_64' });
    const j = vi.fn();
    const k = vi.fn();
    km.register([
      { id: 'next', keys: ['j', 'ArrowDown'], label: 'Next', group: 'Moves', run: j },
      { id: 'prev', keys: ['k'], label: 'Prev', group: 'Moves', run: k },
    ]);
    const e = ev('j');
    expect(km.handle(e)).toBe(true);
    expect(e.prevented).toBe(true);
    expect(km.handle(ev('ArrowDown'))).toBe(true);
    expect(j).toHaveBeenCalledTimes(2);
    expect(k).not.toHaveBeenCalled();
    expect(km.handle(ev('x'))).toBe(false);
  });

  it('does not fire plain bindings with Ctrl/⌘/Alt held, nor letters with Shift', () => {
    const km = new Keymap({ platform: 'Linux' });
    const s = vi.fn();
    km.register({ id: 'skip', keys: ['s'], label: 'Skip', group: 'Moves', run: s });
    expect(km.handle(ev('s', { ctrlKey: true }))).toBe(false); // Ctrl+S stays the browser's
    expect(km.handle(ev('s', { metaKey: true }))).toBe(false);
    expect(km.handle(ev('s', { altKey: true }))).toBe(false);
    expect(km.handle(ev('S', { shiftKey: true }))).toBe(false);
    expect(km.handle(ev('s'))).toBe(true);
    expect(s).toHaveBeenCalledTimes(1);
  });

  it('maps mod to Ctrl elsewhere and to ⌘ on macOS', () => {
    const run = vi.fn();
    const linux = new Keymap({ platform: 'Linux x86_64' });
    linux.register({ id: 'palette', keys: ['mod+k'], label: 'Palette', group: 'General', run });
    expect(linux.handle(ev('k', { ctrlKey: true }))).toBe(true);
    expect(linux.handle(ev('k', { metaKey: true }))).toBe(false);
    expect(linux.handle(ev('k'))).toBe(false);
    expect(linux.display('mod+k')).toBe('Ctrl+K');

    const mac = new Keymap({ platform: 'MacIntel' });
    mac.register({ id: 'palette', keys: ['mod+k'], label: 'Palette', group: 'General', run });
    expect(mac.handle(ev('k', { metaKey: true }))).toBe(true);
    expect(mac.handle(ev('k', { ctrlKey: true }))).toBe(false);
    expect(mac.display('mod+k')).toBe('⌘K');
    expect(mac.isMac).toBe(true);
    expect(linux.isMac).toBe(false);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('ignores keys while typing in a field, except Escape', () => {
    const km = new Keymap({ platform: 'Linux' });
    const skip = vi.fn();
    const esc = vi.fn();
    km.register([
      { id: 'skip', keys: ['s'], label: 'Skip', group: 'Moves', run: skip },
      { id: 'esc', keys: ['Escape'], label: 'Close', group: 'General', inInput: true, run: esc },
    ]);
    for (const target of [input, textarea, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      const e = ev('s', { target });
      expect(km.handle(e)).toBe(false);
      expect(e.prevented).toBe(false);
      expect(km.handle(ev('Escape', { target }))).toBe(true);
    }
    expect(skip).not.toHaveBeenCalled();
    expect(esc).toHaveBeenCalledTimes(4);
    // A checkbox is not a text field.
    expect(km.handle(ev('s', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe(true);
  });

  it('leaves Enter and Space to a focused button', () => {
    const km = new Keymap({ platform: 'Linux' });
    const open = vi.fn();
    km.register({ id: 'open', keys: ['Enter', 'space'], label: 'Open', group: 'Moves', run: open });
    expect(km.handle(ev('Enter', { target: button }))).toBe(false);
    expect(km.handle(ev(' ', { target: button }))).toBe(false);
    expect(km.handle(ev('Enter', { target: { tagName: 'LI' } }))).toBe(true);
    expect(km.handle(ev(' ', { target: { tagName: 'LI' } }))).toBe(true);
  });

  it('matches symbols however Shift is held ("?" is Shift+/ on US keyboards)', () => {
    const km = new Keymap({ platform: 'Linux' });
    const help = vi.fn();
    km.register({ id: 'help', keys: ['?'], label: 'Help', group: 'General', run: help });
    expect(km.handle(ev('?', { shiftKey: true }))).toBe(true);
    expect(km.handle(ev('?'))).toBe(true);
  });

  it('runs only bindings whose when() holds; later registrations win', () => {
    const km = new Keymap({ platform: 'Linux' });
    let overlay = 'none';
    const tab = vi.fn();
    const choose = vi.fn();
    km.register({ id: 'tab.all', keys: ['1'], label: 'All', group: 'Moves', when: () => overlay === 'none', run: tab });
    km.register({ id: 'snooze.1h', keys: ['1'], label: '1 hour', group: 'Snooze', when: () => overlay === 'snooze', run: choose });
    km.handle(ev('1'));
    overlay = 'snooze';
    km.handle(ev('1'));
    expect(tab).toHaveBeenCalledTimes(1);
    expect(choose).toHaveBeenCalledTimes(1);
    overlay = 'help';
    expect(km.handle(ev('1'))).toBe(false);
  });

  it('generates the help from the registry', () => {
    const km = new Keymap({ platform: 'Linux' });
    const noop = () => {};
    km.register([
      { id: 'next', keys: ['j', 'ArrowDown'], label: 'Next move', group: 'Moves', run: noop },
      { id: 'palette', keys: ['mod+k'], label: 'Command palette', group: 'General', run: noop },
      { id: 'view.signals', keys: [], label: 'Go to Signals', group: 'Views', run: noop },
    ]);
    expect(km.help()).toEqual([
      { group: 'Moves', items: [{ id: 'next', label: 'Next move', keys: ['J', '↓'] }] },
      { group: 'General', items: [{ id: 'palette', label: 'Command palette', keys: ['Ctrl+K'] }] },
    ]);
    // Every registered action is in the palette, key or not.
    expect(km.actions().map((a) => a.id)).toEqual(['next', 'palette', 'view.signals']);
    // Registering another binding changes the help with no other edit.
    km.register({ id: 'skip', keys: ['s'], label: 'Skip', group: 'Moves', run: noop });
    expect(km.help()[0].items.map((i) => i.id)).toEqual(['next', 'skip']);
  });

  it('refuses a duplicate action id and can unregister', () => {
    const km = new Keymap({ platform: 'Linux' });
    const off = km.register({ id: 'a', keys: ['a'], label: 'A', group: 'G', run: () => {} });
    expect(() => km.register({ id: 'a', keys: ['b'], label: 'B', group: 'G', run: () => {} })).toThrow(/duplicate/);
    off();
    expect(km.handle(ev('a'))).toBe(false);
  });

  it('runs an action by id for mouse controls and the palette', () => {
    const km = new Keymap({ platform: 'Linux' });
    const run = vi.fn();
    let on = false;
    km.register({ id: 'x', keys: [], label: 'X', group: 'G', run, when: () => on });
    expect(km.run('x')).toBe(false);
    on = true;
    expect(km.run('x')).toBe(true);
    expect(km.run('nope')).toBe(false);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('attaches exactly one keydown listener', () => {
    const km = new Keymap({ platform: 'Linux' });
    const run = vi.fn();
    km.register({ id: 'a', keys: ['a'], label: 'A', group: 'G', run });
    const listeners: ((e: Event) => void)[] = [];
    const target = {
      addEventListener: (name: string, fn: (e: Event) => void) => name === 'keydown' && listeners.push(fn),
      removeEventListener: (name: string, fn: (e: Event) => void) => listeners.splice(listeners.indexOf(fn), 1),
    } as unknown as EventTarget;
    const detach = km.attach(target);
    expect(listeners).toHaveLength(1);
    listeners[0](ev('a') as unknown as Event);
    expect(run).toHaveBeenCalledTimes(1);
    detach();
    expect(listeners).toHaveLength(0);
  });
});

describe('parseChord and isTyping', () => {
  it('parses modifiers', () => {
    expect(parseChord('mod+shift+k')).toEqual({ key: 'k', mod: true, shift: true, alt: false });
    expect(parseChord('Enter')).toEqual({ key: 'enter', mod: false, shift: false, alt: false });
    expect(parseChord('space').key).toBe('space');
  });
  it('knows text fields', () => {
    expect(isTyping(input)).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTyping({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    expect(isTyping(button)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});
