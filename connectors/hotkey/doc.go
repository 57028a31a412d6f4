// Package hotkey grabs global shortcuts — key combinations that reach
// CaseyOS while another app has focus — from the desktop it runs on
// (backend.GlobalShortcuts):
//
//   - X11: XGrabKey on the root window over its own X connection and event
//     loop (cgo, libX11; built with the desktop tag), with the NumLock and
//     CapsLock variants grabbed too, and an X error handler so that a
//     combination another client holds (BadAccess) is reported per
//     shortcut, not lost. Autorepeat never repeats a press.
//   - Wayland: the XDG desktop portal's org.freedesktop.portal.GlobalShortcuts
//     over D-Bus (godbus), where the portal offers it; the desktop may show
//     its own dialog and bind other keys than the ones asked for.
//   - macOS: Carbon's RegisterEventHotKey (cgo, darwin).
//
// Everywhere else, and where none of these is there, Open returns a
// GlobalShortcuts whose Note says why and whose every shortcut is
// "unsupported". hotkeytest holds a fake portal for the tests.
package hotkey
