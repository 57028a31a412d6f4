package gcaltest

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/connectors/internal/googlefake"
)

// Options configure a Server.
type Options struct {
	Owner string // the calendar owner; "" = casey@pebblecache.dev
	// TokenValid says whether a bearer token is good; nil accepts any.
	TokenValid func(token string) bool
	Now        func() time.Time
	// EmptyFirstPage makes the first page of every listing empty while more
	// exist, as Google may.
	EmptyFirstPage bool
}

// Attendee is a guest of an event.
type Attendee struct {
	Email          string
	ResponseStatus string // needsAction, accepted, declined, tentative
	Optional       bool
}

// Event is a calendar event.
type Event struct {
	ID          string
	Status      string // confirmed (default), tentative, cancelled
	Summary     string
	Description string
	Start, End  time.Time
	AllDay      bool
	Attendees   []Attendee
	Organizer   string // "" = the owner
	HangoutLink string
	Transparent bool // does not block free/busy
	Updated     time.Time

	conference map[string]any
	seq        uint64
	created    time.Time
}

// Fault is an error the fake answers instead of serving a request
// (Method: calendar.events.list, calendar.events.insert,
// calendar.events.delete, calendar.events.get, calendar.freebusy.query).
type Fault = googlefake.Fault

// Request is one API call the fake received.
type Request = googlefake.Request

type page struct {
	ids      []string
	offset   int
	syncSeq  uint64
	size     int
	minimal  map[string]bool // cancelled events rendered minimally
	emptyOne bool
}

// Server is the fake. It is safe for concurrent use.
type Server struct {
	googlefake.Listener // URL, Close

	opts Options

	mu      sync.Mutex
	events  map[string]*Event
	seq     uint64
	minSync uint64 // sync tokens below this are expired
	pages   map[string]*page
	busy    map[string][][2]time.Time // other people's calendars

	calls googlefake.Calls
}

// New returns an empty calendar.
func New(o Options) *Server {
	if o.Owner == "" {
		o.Owner = "casey@pebblecache.dev"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Server{opts: o, events: map[string]*Event{}, pages: map[string]*page{}, busy: map[string][][2]time.Time{}}
}

// Start serves on addr until Close and sets URL.
func (s *Server) Start(addr string) error { return s.Listen(addr, s.Handler()) }

// NewTestServer starts a fake on an httptest server closed when the test ends.
func NewTestServer(tb testing.TB, o Options) *Server {
	tb.Helper()
	s := New(o)
	s.ServeTest(tb, s.Handler())
	return s
}

// Endpoint is what to pass to option.WithEndpoint.
func (s *Server) Endpoint() string { return s.URL + "/calendar/v3/" }

// Owner is the calendar owner's address.
func (s *Server) Owner() string { return s.opts.Owner }

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

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// AddEvent puts e on the calendar (bypassing id rules, as events made in
// the Calendar UI or by others do) and returns its id.
func (s *Server) AddEvent(e Event) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == "" {
		e.ID = newID()
	}
	s.put(&e)
	return e.ID
}

// put stores e as a new change. s.mu is held.
func (s *Server) put(e *Event) {
	if e.Status == "" {
		e.Status = "confirmed"
	}
	now := s.opts.Now()
	if e.created.IsZero() {
		e.created = now
	}
	e.Updated = now
	s.seq++
	e.seq = s.seq
	s.events[e.ID] = e
}

// UpdateEvent changes an event, as an edit in the Calendar UI would.
func (s *Server) UpdateEvent(id string, f func(*Event)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events[id]
	if e == nil {
		return false
	}
	f(e)
	s.put(e)
	return true
}

// RemoveEvent cancels an event, as a deletion elsewhere would.
func (s *Server) RemoveEvent(id string) {
	s.UpdateEvent(id, func(e *Event) { e.Status = "cancelled" })
}

// Event returns a copy of an event.
func (s *Server) Event(id string) (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events[id]
	if e == nil {
		return Event{}, false
	}
	return *e, true
}

// Events returns the events that are not cancelled, by start.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Event
	for _, e := range s.events {
		if e.Status != "cancelled" {
			out = append(out, *e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// ExpireSyncTokens makes every sync token issued so far answer 410.
func (s *Server) ExpireSyncTokens() {
	s.mu.Lock()
	s.minSync = s.seq + 1
	s.mu.Unlock()
}

// AddBusy marks someone else's calendar busy, for freeBusy; an address
// with no calendar here answers notFound.
func (s *Server) AddBusy(email string, start, end time.Time) {
	s.mu.Lock()
	s.busy[strings.ToLower(email)] = append(s.busy[strings.ToLower(email)], [2]time.Time{start, end})
	s.mu.Unlock()
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) { s.calls.Inject(f) }

// Requests returns the API calls received, oldest first.
func (s *Server) Requests() []Request { return s.calls.Requests() }

// Handler serves the Calendar API under /calendar/v3/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern, method string, h func(http.ResponseWriter, *http.Request)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(method, w, r, h) })
	}
	p := "/calendar/v3/"
	route("GET "+p+"calendars/{cal}/events", "calendar.events.list", s.list)
	route("POST "+p+"calendars/{cal}/events", "calendar.events.insert", s.insert)
	route("GET "+p+"calendars/{cal}/events/{id}", "calendar.events.get", s.get)
	route("DELETE "+p+"calendars/{cal}/events/{id}", "calendar.events.delete", s.delete)
	route("POST "+p+"freeBusy", "calendar.freebusy.query", s.freeBusy)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Not Found")
	})
	return mux
}

func (s *Server) serve(method string, w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request)) {
	s.calls.Serve(method, w, r, s.opts.TokenValid, s.ownCalendar, h)
}

// ownCalendar answers 404 for a calendar other than the owner's.
func (s *Server) ownCalendar(w http.ResponseWriter, r *http.Request) bool {
	if c := r.PathValue("cal"); c != "" && c != "primary" && !strings.EqualFold(c, s.opts.Owner) {
		googlefake.WriteError(w, http.StatusNotFound, "notFound", "Not Found")
		return false
	}
	return true
}

func syncToken(seq uint64) string {
	return base64.StdEncoding.EncodeToString([]byte("CP" + strconv.FormatUint(seq, 10) + "=sync"))
}

func parseSyncToken(t string) (uint64, bool) {
	b, err := base64.StdEncoding.DecodeString(t)
	if err != nil || !strings.HasPrefix(string(b), "CP") || !strings.HasSuffix(string(b), "=sync") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(string(b), "CP"), "=sync"), 10, 64)
	return n, err == nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *page
	if t := q.Get("pageToken"); t != "" {
		if p = s.pages[t]; p == nil {
			googlefake.WriteError(w, http.StatusBadRequest, "invalid", "Invalid page token value.")
			return
		}
		delete(s.pages, t)
	} else {
		var errReason, errMsg string
		var status int
		p, status, errReason, errMsg = s.newListing(q)
		if p == nil {
			googlefake.WriteError(w, status, errReason, errMsg)
			return
		}
	}
	n := p.size
	if p.emptyOne {
		n, p.emptyOne = 0, false
	}
	end := min(p.offset+n, len(p.ids))
	items := []any{}
	for _, id := range p.ids[p.offset:end] {
		e := s.events[id]
		if e.Status == "cancelled" && p.minimal[id] {
			items = append(items, map[string]any{"kind": "calendar#event", "id": e.ID, "status": "cancelled"})
			continue
		}
		items = append(items, s.render(e))
	}
	resp := map[string]any{"kind": "calendar#events", "summary": s.opts.Owner, "timeZone": "UTC",
		"updated": s.opts.Now().UTC().Format(time.RFC3339Nano), "items": items}
	if end < len(p.ids) {
		p.offset = end
		t := newID()
		s.pages[t] = p
		resp["nextPageToken"] = t
	} else {
		resp["nextSyncToken"] = syncToken(p.syncSeq)
	}
	googlefake.WriteJSON(w, resp)
}

// newListing selects the events of a new listing. s.mu is held.
func (s *Server) newListing(q url.Values) (*page, int, string, string) {
	size := 250
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, 400, "invalid", "Invalid value for maxResults"
		}
		size = min(n, 2500)
	}
	if q.Get("orderBy") == "startTime" && q.Get("singleEvents") != "true" {
		return nil, 400, "badRequest", "The requested ordering is not available for the particular query."
	}
	p := &page{size: size, syncSeq: s.seq, minimal: map[string]bool{}, emptyOne: s.opts.EmptyFirstPage}
	if t := q.Get("syncToken"); t != "" {
		for _, k := range []string{"orderBy", "q", "timeMin", "timeMax", "updatedMin", "iCalUID", "privateExtendedProperty", "sharedExtendedProperty"} {
			if q.Get(k) != "" {
				return nil, 400, "invalid", "Sync token cannot be used with " + k + "."
			}
		}
		seq, ok := parseSyncToken(t)
		if !ok {
			return nil, 400, "invalid", "Invalid sync token value."
		}
		if seq < s.minSync {
			return nil, 410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
		}
		for id, e := range s.events {
			if e.seq > seq {
				p.ids = append(p.ids, id)
				p.minimal[id] = true
			}
		}
		sort.Slice(p.ids, func(i, j int) bool { return s.events[p.ids[i]].seq < s.events[p.ids[j]].seq })
		return p, 0, "", ""
	}
	var tmin, tmax, umin time.Time
	for k, dst := range map[string]*time.Time{"timeMin": &tmin, "timeMax": &tmax, "updatedMin": &umin} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, 400, "invalid", "Bad Request: " + k
			}
			*dst = t
		}
	}
	if !tmin.IsZero() && !tmax.IsZero() && !tmax.After(tmin) {
		return nil, 400, "timeRangeEmpty", "The specified time range is empty."
	}
	deleted := q.Get("showDeleted") == "true"
	text := strings.ToLower(q.Get("q"))
	for id, e := range s.events {
		switch {
		case e.Status == "cancelled" && !deleted,
			!tmin.IsZero() && !e.End.After(tmin),
			!tmax.IsZero() && !e.Start.Before(tmax),
			!umin.IsZero() && e.Updated.Before(umin),
			text != "" && !strings.Contains(strings.ToLower(e.Summary+" "+e.Description), text):
			continue
		}
		p.ids = append(p.ids, id)
	}
	if q.Get("orderBy") == "updated" {
		sort.Slice(p.ids, func(i, j int) bool { return s.events[p.ids[i]].seq < s.events[p.ids[j]].seq })
	} else {
		sort.Slice(p.ids, func(i, j int) bool {
			a, b := s.events[p.ids[i]], s.events[p.ids[j]]
			if !a.Start.Equal(b.Start) {
				return a.Start.Before(b.Start)
			}
			return a.ID < b.ID
		})
	}
	return p, 0, "", ""
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// render is the event's JSON. s.mu is held.
func (s *Server) render(e *Event) map[string]any {
	org := e.Organizer
	if org == "" {
		org = s.opts.Owner
	}
	when := func(t time.Time) map[string]any {
		if e.AllDay {
			return map[string]any{"date": t.Format("2006-01-02")}
		}
		return map[string]any{"dateTime": rfc(t), "timeZone": "UTC"}
	}
	j := map[string]any{"kind": "calendar#event", "id": e.ID, "status": e.Status, "etag": fmt.Sprintf(`"%d"`, e.seq),
		"htmlLink": "https://www.google.com/calendar/event?eid=" + base64.RawURLEncoding.EncodeToString([]byte(e.ID+" "+s.opts.Owner)),
		"created":  e.created.UTC().Format(time.RFC3339Nano), "updated": e.Updated.UTC().Format(time.RFC3339Nano),
		"summary": e.Summary, "creator": map[string]any{"email": org, "self": strings.EqualFold(org, s.opts.Owner)},
		"organizer": map[string]any{"email": org, "self": strings.EqualFold(org, s.opts.Owner)},
		"start":     when(e.Start), "end": when(e.End), "iCalUID": e.ID + "@google.com", "sequence": 0, "eventType": "default",
		"reminders": map[string]any{"useDefault": true}}
	if e.Description != "" {
		j["description"] = e.Description
	}
	if e.Transparent {
		j["transparency"] = "transparent"
	}
	if len(e.Attendees) > 0 {
		var as []map[string]any
		for _, a := range e.Attendees {
			m := map[string]any{"email": a.Email, "responseStatus": nonEmpty(a.ResponseStatus, "needsAction")}
			if strings.EqualFold(a.Email, s.opts.Owner) {
				m["self"] = true
			}
			if strings.EqualFold(a.Email, org) {
				m["organizer"] = true
			}
			if a.Optional {
				m["optional"] = true
			}
			as = append(as, m)
		}
		j["attendees"] = as
	}
	if e.HangoutLink != "" {
		j["hangoutLink"] = e.HangoutLink
	}
	if e.conference != nil {
		j["conferenceData"] = e.conference
	}
	return j
}

func nonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type jsonWhen struct {
	Date     string `json:"date"`
	DateTime string `json:"dateTime"`
}

func (w *jsonWhen) time() (time.Time, bool, error) {
	if w == nil {
		return time.Time{}, false, fmt.Errorf("missing")
	}
	if w.DateTime != "" {
		t, err := time.Parse(time.RFC3339, w.DateTime)
		return t, false, err
	}
	t, err := time.Parse("2006-01-02", w.Date)
	return t, true, err
}

func (s *Server) insert(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID          string    `json:"id"`
		Summary     string    `json:"summary"`
		Description string    `json:"description"`
		Start       *jsonWhen `json:"start"`
		End         *jsonWhen `json:"end"`
		Attendees   []struct {
			Email    string `json:"email"`
			Optional bool   `json:"optional"`
		} `json:"attendees"`
		Transparency   string `json:"transparency"`
		ConferenceData *struct {
			CreateRequest *struct {
				RequestID             string `json:"requestId"`
				ConferenceSolutionKey *struct {
					Type string `json:"type"`
				} `json:"conferenceSolutionKey"`
			} `json:"createRequest"`
		} `json:"conferenceData"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		googlefake.WriteError(w, 400, "parseError", "Parse Error")
		return
	}
	start, allDay, err1 := in.Start.time()
	end, _, err2 := in.End.time()
	switch {
	case in.Start == nil || err1 != nil:
		googlefake.WriteError(w, 400, "required", "Missing start time.")
		return
	case in.End == nil || err2 != nil:
		googlefake.WriteError(w, 400, "required", "Missing end time.")
		return
	case end.Before(start):
		googlefake.WriteError(w, 400, "timeRangeEmpty", "The specified time range is empty.")
		return
	case in.ID != "" && !validID(in.ID):
		googlefake.WriteError(w, 400, "invalid", "Invalid resource id value.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.ID == "" {
		in.ID = newID()
	} else if s.events[in.ID] != nil {
		// Google keeps ids of deleted events too.
		googlefake.WriteError(w, 409, "duplicate", "The requested identifier already exists.")
		return
	}
	e := &Event{ID: in.ID, Summary: in.Summary, Description: in.Description, Start: start, End: end, AllDay: allDay,
		Transparent: in.Transparency == "transparent", Attendees: []Attendee{{Email: s.opts.Owner, ResponseStatus: "accepted"}}}
	for _, a := range in.Attendees {
		if !strings.EqualFold(a.Email, s.opts.Owner) {
			e.Attendees = append(e.Attendees, Attendee{Email: a.Email, Optional: a.Optional, ResponseStatus: "needsAction"})
		}
	}
	if r.URL.Query().Get("conferenceDataVersion") == "1" && in.ConferenceData != nil && in.ConferenceData.CreateRequest != nil {
		cr := in.ConferenceData.CreateRequest
		typ := "hangoutsMeet"
		if cr.ConferenceSolutionKey != nil && cr.ConferenceSolutionKey.Type != "" {
			typ = cr.ConferenceSolutionKey.Type
		}
		code := meetCode()
		e.HangoutLink = "https://meet.google.com/" + code
		e.conference = map[string]any{
			"createRequest": map[string]any{"requestId": cr.RequestID, "conferenceSolutionKey": map[string]any{"type": typ},
				"status": map[string]any{"statusCode": "success"}},
			"entryPoints":        []map[string]any{{"entryPointType": "video", "uri": e.HangoutLink, "label": "meet.google.com/" + code}},
			"conferenceSolution": map[string]any{"key": map[string]any{"type": typ}, "name": "Google Meet"},
			"conferenceId":       code,
		}
	}
	s.put(e)
	googlefake.WriteJSON(w, s.render(e))
}

func meetCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	c := make([]byte, 10)
	for i := range b {
		c[i] = 'a' + b[i]%26
	}
	return string(c[:3]) + "-" + string(c[3:7]) + "-" + string(c[7:])
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events[r.PathValue("id")]
	if e == nil {
		googlefake.WriteError(w, 404, "notFound", "Not Found")
		return
	}
	googlefake.WriteJSON(w, s.render(e))
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.events[r.PathValue("id")]
	switch {
	case e == nil:
		googlefake.WriteError(w, 404, "notFound", "Not Found")
	case e.Status == "cancelled":
		googlefake.WriteError(w, 410, "deleted", "Resource has been deleted")
	default:
		e.Status = "cancelled"
		s.put(e)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) freeBusy(w http.ResponseWriter, r *http.Request) {
	var in struct {
		TimeMin, TimeMax string
		Items            []struct {
			ID string `json:"id"`
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		googlefake.WriteError(w, 400, "parseError", "Parse Error")
		return
	}
	tmin, err1 := time.Parse(time.RFC3339, in.TimeMin)
	tmax, err2 := time.Parse(time.RFC3339, in.TimeMax)
	if err1 != nil || err2 != nil {
		googlefake.WriteError(w, 400, "badRequest", "Bad Request")
		return
	}
	if !tmax.After(tmin) {
		googlefake.WriteError(w, 400, "timeRangeEmpty", "The specified time range is empty.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cals := map[string]any{}
	for _, it := range in.Items {
		id := strings.ToLower(it.ID)
		var ranges [][2]time.Time
		switch {
		case id == "primary" || id == strings.ToLower(s.opts.Owner):
			for _, e := range s.events {
				if e.Status != "cancelled" && !e.Transparent && !declined(e, s.opts.Owner) {
					ranges = append(ranges, [2]time.Time{e.Start, e.End})
				}
			}
		case s.busy[id] != nil:
			ranges = s.busy[id]
		default:
			cals[it.ID] = map[string]any{"errors": []map[string]string{{"domain": "global", "reason": "notFound"}}, "busy": []any{}}
			continue
		}
		busy := []map[string]string{}
		sort.Slice(ranges, func(i, j int) bool { return ranges[i][0].Before(ranges[j][0]) })
		for _, b := range ranges {
			if b[1].After(tmin) && b[0].Before(tmax) {
				busy = append(busy, map[string]string{"start": rfc(maxTime(b[0], tmin)), "end": rfc(minTime(b[1], tmax))})
			}
		}
		cals[it.ID] = map[string]any{"busy": busy}
	}
	googlefake.WriteJSON(w, map[string]any{"kind": "calendar#freeBusy", "timeMin": rfc(tmin), "timeMax": rfc(tmax), "calendars": cals})
}

func declined(e *Event, owner string) bool {
	for _, a := range e.Attendees {
		if strings.EqualFold(a.Email, owner) {
			return a.ResponseStatus == "declined"
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
