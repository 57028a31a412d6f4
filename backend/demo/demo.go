package demo

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/signaljson"
)

// Label is how the UI and the CLI name a workspace running on this scenario.
const Label = "Demo workspace"

// The scenario's founder, set as the demo workspace's owner.
const (
	OwnerName  = "Casey Morgan"
	OwnerEmail = "casey@pebblecache.dev"
)

//go:embed scenario.jsonl
var scenario []byte

// keyPrefix starts every demo signal's DedupeKey, so demo data is recognizable.
const keyPrefix = "demo:"

// Signals returns the scenario's signals with every time resolved against
// now, oldest first. An error means the embedded file is broken.
func Signals(now time.Time) ([]*backend.Signal, error) {
	return Parse(scenario, now)
}

// Parse reads a scenario in the signal JSON-lines format with relative
// times. Every line must decode and validate, and dedupe keys must be
// unique and start with "demo:": a broken scenario is an EINVALID error
// naming the line, never silently shortened.
func Parse(data []byte, now time.Time) ([]*backend.Signal, error) {
	if now.IsZero() {
		return nil, backend.Errorf(backend.EINVALID, "demo scenario needs the time to replay it at")
	}
	dec := signaljson.Decoder{Base: now}
	seen := map[string]int{}
	var out []*backend.Signal
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		s, err := dec.Decode(line)
		if err != nil {
			return nil, &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("demo scenario line %d: %s", n, backend.ErrorMessage(err)), Err: err}
		}
		if !strings.HasPrefix(s.DedupeKey, keyPrefix) {
			return nil, backend.Errorf(backend.EINVALID, "demo scenario line %d: dedupe_key %q must start with %q", n, s.DedupeKey, keyPrefix)
		}
		if prev, dup := seen[s.DedupeKey]; dup {
			return nil, backend.Errorf(backend.EINVALID, "demo scenario line %d: dedupe_key %q repeats line %d", n, s.DedupeKey, prev)
		}
		seen[s.DedupeKey] = n
		placeAhead(s, now)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].OccurredAt.Before(out[j].OccurredAt) })
	return out, nil
}

// placeAhead moves an external meeting (or a demo date) that lies ahead
// to where a person would book it, a quarter hour inside working hours in
// the owner's zone, as the demo's Calendar and HubSpot fakes do: an offset
// from a late-evening load would otherwise land at 02:48.
func placeAhead(s *backend.Signal, now time.Time) {
	if m := s.Meeting; m != nil && m.External && m.Start.After(now) {
		length := m.End.Sub(m.Start)
		m.Start = backend.MeetingStart(m.Start, time.Local, length)
		m.End = m.Start.Add(length)
	}
	if at, err := time.Parse(time.RFC3339, s.Payload["demo_at"]); err == nil && at.After(now) {
		s.Payload["demo_at"] = backend.MeetingStart(at, time.Local, time.Hour).Format(time.RFC3339)
	}
}

// Competitors are the names the demo's founder watches for.
var Competitors = []string{"Stackwise"}

// Settings are the demo workspace's: the defaults, with the scenario's
// founder signing the drafts, her price list and facts (what the reply
// drafts answer from) and her competitor watched.
func Settings() *backend.Settings {
	s := backend.DefaultSettings()
	s.OwnerName, s.OwnerEmail = OwnerName, OwnerEmail
	s.Pricing, s.Facts = Pricing(), Facts()
	s.Competitors = append([]string(nil), Competitors...)
	return s
}
