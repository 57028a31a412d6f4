// Package gcal is the Google Calendar connector: a backend.Poller that turns
// the primary calendar into meeting.upcoming (an event with guests outside
// the owner's domain starting within the look-ahead) and meeting.ended
// signals from a syncToken cursor, and a backend.Calendar that answers
// free/busy, inserts events with a client-chosen id (so a retry cannot
// create a second one) and an optional Meet link, and cancels them.
//
// It talks to Calendar through google.golang.org/api/calendar/v3 over an
// authorized *http.Client the caller builds (connectors/google in main.go).
package gcal
