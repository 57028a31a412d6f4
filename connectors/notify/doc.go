// Package notify shows backend.Notifications as desktop notifications: on
// Linux (and the BSDs) through the freedesktop org.freedesktop.Notifications
// service on the session bus (godbus), with "Open" and "Snooze 1h" actions
// where the server lists the "actions" capability; on macOS through the
// user notification center (osascript's display notification, which has no
// actions). notifytest is a fake notification server for tests.
package notify
