// Package gcaltest is a stateful fake of the Google Calendar API v3 that the
// real google.golang.org/api/calendar/v3 client talks to (point it here with
// option.WithEndpoint(URL+"/calendar/v3/") — the trailing slash matters). It
// keeps the owner's primary calendar and reproduces what connectors trip
// over: page tokens, with nextSyncToken only on the last page of a listing;
// incremental sync with deletions as status "cancelled"; 410
// fullSyncRequired for an expired sync token; the parameters a sync token
// cannot be combined with; client-chosen event ids (base32hex) with 409 on
// reuse and 410 when deleting twice; conferenceData honoured only with
// conferenceDataVersion=1; freeBusy with per-calendar errors inside a 200;
// 401 for a token the token server rejects; 403/429 usage limits.
//
// DemoSeed fills the calendar with the demo workspace's meetings.
package gcaltest
