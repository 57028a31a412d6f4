package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestOwnerAddress(t *testing.T) {
	tests := []struct{ set, connected, want string }{
		{"", "", ""},
		{"", "casey@pebblecache.dev", "casey@pebblecache.dev"},
		{"founder@acme.io", "casey@pebblecache.dev", "founder@acme.io"},
		{"", "not an address", ""},
	}
	for _, tt := range tests {
		if got := backend.OwnerAddress(&backend.Settings{OwnerEmail: tt.set}, tt.connected); got != tt.want {
			t.Errorf("OwnerAddress(%q, %q) = %q, want %q", tt.set, tt.connected, got, tt.want)
		}
	}
}

// TestIngest_ConnectedOwnerNotInvited: with no owner email set, the
// connected account's address keeps the owner off a call's attendees.
func TestIngest_ConnectedOwnerNotInvited(t *testing.T) {
	for _, connected := range []string{"", "casey@pebblecache.dev"} {
		f := newQueue(t)
		f.q.SetOwnerAddress(connected)
		s := danaAsks("g:1", testNow.Add(-time.Hour))
		s.Email.To = []string{"Casey@PebbleCache.dev", "lee@acme.example"}
		s.Email.Body = "Hi Casey,\n\nCould we talk Thursday afternoon about the rollout? Lee will join.\n\nDana"
		rep := f.ingest(t, s)
		var to []string
		for _, id := range rep.Created {
			m, err := f.q.Moves.Move(f.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind == backend.KindScheduleMeeting {
				to = m.Draft.To
			}
		}
		invited := strings.Contains(strings.ToLower(strings.Join(to, ",")), "casey@pebblecache.dev")
		if want := connected == ""; invited != want || !strings.Contains(strings.Join(to, ","), "lee@acme.example") {
			t.Errorf("connected %q: attendees %v, want the owner invited %v and Lee", connected, to, want)
		}
	}
}
