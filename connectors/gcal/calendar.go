package gcal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/googleapi"
)

// FreeBusy returns the busy times of each attendee (an address, or
// "primary" for the owner; none = the owner) between from and to. People
// whose calendar Google will not show are left out of the map.
func (c *Client) FreeBusy(ctx context.Context, from, to time.Time, attendees []string) (map[string][]backend.Busy, error) {
	if !to.After(from) {
		return nil, backend.Errorf(backend.EINVALID, "free/busy needs a time range that ends after it starts")
	}
	if len(attendees) == 0 {
		attendees = []string{c.cfg.CalendarID}
	}
	req := &calendar.FreeBusyRequest{TimeMin: from.UTC().Format(time.RFC3339), TimeMax: to.UTC().Format(time.RFC3339)}
	for _, a := range attendees {
		req.Items = append(req.Items, &calendar.FreeBusyRequestItem{Id: a})
	}
	var r *calendar.FreeBusyResponse
	err := c.api.Do(ctx, "calendar.freebusy.query", true, func() (err error) {
		r, err = c.svc.Freebusy.Query(req).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[string][]backend.Busy{}
	for _, a := range attendees {
		cal, ok := r.Calendars[a]
		if !ok || len(cal.Errors) > 0 {
			continue
		}
		busy := []backend.Busy{}
		for _, p := range cal.Busy {
			s, err1 := time.Parse(time.RFC3339, p.Start)
			e, err2 := time.Parse(time.RFC3339, p.End)
			if err1 == nil && err2 == nil {
				busy = append(busy, backend.Busy{Start: s, End: e})
			}
		}
		out[a] = busy
	}
	return out, nil
}

// validID reports a base32hex id of 5–1024 characters, as Calendar wants.
func validID(s string) bool {
	if len(s) < 5 || len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'v' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// EventID turns a client-chosen key into a valid Calendar event id
// (base32hex, 5–1024 characters): a valid id is kept, anything else is
// hex-encoded (hex digits are base32hex), long keys hashed. The same key
// always gives the same id.
func EventID(key string) string {
	if validID(key) {
		return key
	}
	h := hex.EncodeToString([]byte(key))
	if len(h) > 1024 {
		sum := sha256.Sum256([]byte(key))
		h = hex.EncodeToString(sum[:])
	}
	for len(h) < 5 {
		h += "0"
	}
	return h
}

// InsertEvent creates the event under EventID(e.ID) and invites the
// attendees (sendUpdates=all), with a Meet link when e.Meet. Inserting the
// same id again (a retry) answers 409, which means it is already there:
// the id is returned — unless that event was cancelled, which is a
// conflict.
func (c *Client) InsertEvent(ctx context.Context, e backend.NewEvent) (string, error) {
	const op = "gcal.InsertEvent"
	if e.Start.IsZero() || !e.End.After(e.Start) {
		return "", backend.Errorf(backend.EINVALID, "an event needs a start and an end after it")
	}
	id := e.ID
	if id == "" {
		b := make([]byte, 16)
		rand.Read(b)
		id = strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	}
	id = EventID(id)
	ev := &calendar.Event{Id: id, Summary: e.Title,
		Start: &calendar.EventDateTime{DateTime: e.Start.UTC().Format(time.RFC3339), TimeZone: "UTC"},
		End:   &calendar.EventDateTime{DateTime: e.End.UTC().Format(time.RFC3339), TimeZone: "UTC"}}
	for _, a := range e.Attendees {
		if !backend.ValidEmail(strings.ToLower(a)) {
			return "", backend.Errorf(backend.EINVALID, "attendee %q is not an email address", a)
		}
		ev.Attendees = append(ev.Attendees, &calendar.EventAttendee{Email: a})
	}
	if e.Meet {
		ev.ConferenceData = &calendar.ConferenceData{CreateRequest: &calendar.CreateConferenceRequest{
			RequestId: id, ConferenceSolutionKey: &calendar.ConferenceSolutionKey{Type: "hangoutsMeet"}}}
	}
	err := c.api.Do(ctx, "calendar.events.insert", true, func() error {
		call := c.svc.Events.Insert(c.cfg.CalendarID, ev).SendUpdates("all").Context(ctx)
		if e.Meet {
			call.ConferenceDataVersion(1)
		}
		_, err := call.Do()
		return err
	})
	if backend.ErrorCode(err) == backend.ECONFLICT {
		got, gerr := c.get(ctx, id)
		if gerr != nil {
			return "", backend.WrapError(op, gerr)
		}
		if got.Status == "cancelled" {
			return "", &backend.Error{Code: backend.ECONFLICT, Message: "This event was created and then cancelled; schedule it again.", Op: op, Err: err}
		}
		return id, nil
	}
	if err != nil {
		return "", backend.WrapError(op, err)
	}
	return id, nil
}

// CancelEvent deletes the event and tells the guests (sendUpdates=all). An
// event already deleted counts as cancelled, so an undo can be retried.
func (c *Client) CancelEvent(ctx context.Context, id string) error {
	if id == "" {
		return backend.Errorf(backend.EINVALID, "which event to cancel?")
	}
	id = EventID(id)
	err := c.api.Do(ctx, "calendar.events.delete", true, func() error {
		return c.svc.Events.Delete(c.cfg.CalendarID, id).SendUpdates("all").Context(ctx).Do()
	})
	if googleapi.Code(err) == 410 {
		return nil
	}
	return backend.WrapError("gcal.CancelEvent", err)
}

// Meeting reads one event, for its Meet link after InsertEvent.
func (c *Client) Meeting(ctx context.Context, id string) (*backend.Meeting, error) {
	e, err := c.get(ctx, EventID(id))
	if err != nil {
		return nil, err
	}
	m, _, ok := c.meeting(e)
	if !ok {
		m = &backend.Meeting{ID: e.Id, Title: e.Summary, Link: e.HangoutLink}
		if e.Start != nil && e.End != nil {
			m.Start, _ = time.Parse(time.RFC3339, e.Start.DateTime)
			m.End, _ = time.Parse(time.RFC3339, e.End.DateTime)
		}
	}
	return m, nil
}

func (c *Client) get(ctx context.Context, id string) (*calendar.Event, error) {
	var e *calendar.Event
	err := c.api.Do(ctx, "calendar.events.get", true, func() (err error) {
		e, err = c.svc.Events.Get(c.cfg.CalendarID, id).Context(ctx).Do()
		return err
	})
	return e, err
}
