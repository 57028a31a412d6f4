package gcal

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"google.golang.org/api/calendar/v3"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/internal/googleapi"
)

// The cursor is "v1 <unix seconds of the last poll> <syncToken>". The sync
// token finds what changed; the time finds meetings that crossed into the
// look-ahead or ended since, which a sync token does not report because
// nothing about them changed.
type cursor struct {
	at    time.Time
	token string
}

func parseCursor(s string) (cursor, bool) {
	f := strings.Fields(s)
	if len(f) != 3 || f[0] != "v1" {
		return cursor{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return cursor{}, false
	}
	return cursor{at: time.Unix(n, 0), token: f[2]}, true
}

func (c cursor) String() string { return fmt.Sprintf("v1 %d %s", c.at.Unix(), c.token) }

// Poll returns meeting signals since cursor and the next cursor. An empty
// cursor (or an expired sync token, 410) runs a full sync of the events
// since LookBack. Keys are per event and start (upcoming) or end (ended),
// so a full resync or a replay repeats keys, never signals, and a
// rescheduled meeting is announced again.
func (c *Client) Poll(ctx context.Context, cur string) ([]*backend.Signal, string, error) {
	now := c.cfg.Clock.Now()
	pos, ok := parseCursor(cur)
	if !ok {
		return c.fullSync(ctx, now)
	}
	changed, token, err := c.list(ctx, func(call *calendar.EventsListCall) { call.SyncToken(pos.token) })
	if googleapi.Code(err) == http.StatusGone {
		return c.fullSync(ctx, now)
	}
	if err != nil {
		return nil, "", err
	}
	// Everything that overlaps (last poll, now + look-ahead): meetings that
	// ended since the last poll, are on, or start soon.
	from := pos.at
	if from.After(now) {
		from = now
	}
	window, _, err := c.list(ctx, func(call *calendar.EventsListCall) {
		call.TimeMin(from.UTC().Format(time.RFC3339)).TimeMax(now.Add(c.cfg.LookAhead).UTC().Format(time.RFC3339)).OrderBy("startTime")
	})
	if err != nil {
		return nil, "", err
	}
	sigs := c.signals(changed, now, time.Time{})
	sigs = append(sigs, c.signals(window, now, pos.at)...)
	return dedupe(sigs), cursor{at: now, token: token}.String(), nil
}

func dedupe(sigs []*backend.Signal) []*backend.Signal {
	seen := map[string]bool{}
	out := sigs[:0]
	for _, s := range sigs {
		if !seen[s.DedupeKey] {
			seen[s.DedupeKey] = true
			out = append(out, s)
		}
	}
	return out
}

func (c *Client) fullSync(ctx context.Context, now time.Time) ([]*backend.Signal, string, error) {
	events, token, err := c.list(ctx, func(call *calendar.EventsListCall) {
		call.TimeMin(now.Add(-c.cfg.LookBack).UTC().Format(time.RFC3339))
	})
	if err != nil {
		return nil, "", err
	}
	return c.signals(events, now, time.Time{}), cursor{at: now, token: token}.String(), nil
}

// list pages through events.list (single events, recurring ones expanded);
// the sync token comes with the last page only.
func (c *Client) list(ctx context.Context, set func(*calendar.EventsListCall)) ([]*calendar.Event, string, error) {
	var out []*calendar.Event
	page := ""
	for pages := 0; pages < 400; pages++ {
		var r *calendar.Events
		err := c.api.Do(ctx, "calendar.events.list", true, func() (err error) {
			call := c.svc.Events.List(c.cfg.CalendarID).SingleEvents(true).MaxResults(250).Context(ctx)
			set(call)
			if page != "" {
				call.PageToken(page)
			}
			r, err = call.Do()
			return err
		})
		if err != nil {
			return nil, "", err
		}
		out = append(out, r.Items...)
		if page = r.NextPageToken; page == "" {
			return out, r.NextSyncToken, nil
		}
	}
	return nil, "", backend.Errorf(backend.EUNAVAILABLE, "Google Calendar kept paging; trying again later")
}

// signals derives meeting signals from events, each key once. With since
// set, only thresholds crossed after it count: a meeting that entered the
// look-ahead or ended since the last poll.
func (c *Client) signals(events []*calendar.Event, now, since time.Time) []*backend.Signal {
	var out []*backend.Signal
	seen := map[string]bool{}
	add := func(s *backend.Signal) {
		if s != nil && !seen[s.DedupeKey] {
			seen[s.DedupeKey] = true
			out = append(out, s)
		}
	}
	for _, e := range events {
		m, guest, ok := c.meeting(e)
		if !ok {
			continue
		}
		if m.External && m.Start.After(now) && !m.Start.After(now.Add(c.cfg.LookAhead)) && m.Start.Add(-c.cfg.LookAhead).After(since) {
			// It became upcoming when it entered the look-ahead, or when it
			// was booked if that was later.
			at := m.Start.Add(-c.cfg.LookAhead)
			if u, err := time.Parse(time.RFC3339, e.Updated); err == nil && u.After(at) && !u.After(now) {
				at = u
			}
			add(c.signal(backend.SignalMeetingUpcoming, m, guest, at, fmt.Sprintf("gcal:%s:upcoming:%d", e.Id, m.Start.Unix())))
		}
		if !m.End.After(now) && m.End.After(now.Add(-c.cfg.LookBack)) && m.End.After(since) {
			add(c.signal(backend.SignalMeetingEnded, m, guest, m.End, fmt.Sprintf("gcal:%s:ended:%d", e.Id, m.End.Unix())))
		}
	}
	return out
}

// meeting reads an event as a meeting: confirmed or tentative, timed (not
// all-day), with a guest besides the owner, and not declined by the owner.
// guest is the external guest the CRM knows (else the first external one,
// else the first guest).
func (c *Client) meeting(e *calendar.Event) (*backend.Meeting, string, bool) {
	if e.Status == "cancelled" || e.Start == nil || e.End == nil || e.Start.DateTime == "" || e.End.DateTime == "" {
		return nil, "", false
	}
	start, err1 := time.Parse(time.RFC3339, e.Start.DateTime)
	end, err2 := time.Parse(time.RFC3339, e.End.DateTime)
	if err1 != nil || err2 != nil || end.Before(start) {
		return nil, "", false
	}
	m := &backend.Meeting{ID: e.Id, Title: e.Summary, Start: start, End: end, Link: e.HangoutLink}
	if m.Link == "" && e.ConferenceData != nil {
		for _, ep := range e.ConferenceData.EntryPoints {
			if ep.EntryPointType == "video" {
				m.Link = ep.Uri
				break
			}
		}
	}
	var guests, external []string
	hasOwner := false
	for _, a := range e.Attendees {
		addr := strings.ToLower(a.Email)
		if a.Resource || addr == "" {
			continue
		}
		m.Attendees = append(m.Attendees, addr)
		if a.Self || addr == c.cfg.Owner {
			hasOwner = true
			if a.ResponseStatus == "declined" {
				return nil, "", false
			}
			continue
		}
		guests = append(guests, addr)
		if a.ResponseStatus == "declined" {
			m.Declined = append(m.Declined, addr)
		}
		if c.external(addr) {
			external = append(external, addr)
		}
	}
	if len(guests) == 0 {
		return nil, "", false // the owner's own time
	}
	if !hasOwner {
		m.Attendees = append([]string{c.cfg.Owner}, m.Attendees...)
	}
	m.External = len(external) > 0
	guest := guests[0]
	if len(external) > 0 {
		guest = external[0]
		for _, a := range external {
			if _, ok := c.lookup(a); ok {
				guest = a
				break
			}
		}
	}
	return m, guest, true
}

// webmail domains are shared by strangers: only the owner is internal there.
var webmail = map[string]bool{"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true,
	"yahoo.com": true, "icloud.com": true, "me.com": true, "proton.me": true, "protonmail.com": true, "fastmail.com": true}

func (c *Client) external(addr string) bool {
	_, d, _ := strings.Cut(addr, "@")
	_, own, _ := strings.Cut(c.cfg.Owner, "@")
	for _, x := range c.cfg.InternalDomains {
		if strings.EqualFold(x, d) {
			return false
		}
	}
	if webmail[own] {
		return addr != c.cfg.Owner
	}
	return !strings.EqualFold(d, own)
}

func (c *Client) signal(t backend.SignalType, m *backend.Meeting, guest string, at time.Time, key string) *backend.Signal {
	s := &backend.Signal{Source: backend.SourceGCal, Type: t, OccurredAt: at, DedupeKey: key, Meeting: m}
	if mt, ok := c.lookup(guest); ok {
		s.ContactID, s.CompanyID, s.DealID = mt.ContactID, mt.CompanyID, mt.DealID
		return s
	}
	if m.External {
		s.Contact = &backend.Contact{Email: guest}
	}
	return s
}
