package backend_test

import (
	"context"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// notePoller is a fakePoller that says something about its last pass.
type notePoller struct {
	*fakePoller
	note string
}

func (p *notePoller) Note() string { return p.note }

// A pass that worked but could not read part of the source (X's search
// refused by the access level) says so in the status, stored for `caseyos
// status` in another process, and the state stays connected.
func TestSyncer_Note(t *testing.T) {
	f := newSyncFixture(t)
	p := &notePoller{fakePoller: newFakePoller("x", pollResult{next: "c1"}), note: "search is not in your access level; mentions still sync"}
	if err := f.s.Add(p); err != nil {
		t.Fatal(err)
	}
	sts, err := f.s.SyncOnce(context.Background(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if sts[0].State != backend.SyncConnected || sts[0].Note != p.note {
		t.Fatalf("status = %s %q, want connected with the note", sts[0].State, sts[0].Note)
	}
	stored, _, err := backend.ReadSyncStatus(context.Background(), f.db, "x")
	if err != nil || stored.Note != p.note {
		t.Fatalf("stored status note = %q (%v), want %q", stored.Note, err, p.note)
	}
	p.note = ""
	p.push(pollResult{next: "c2"})
	sts, _ = f.s.SyncOnce(context.Background(), "x")
	if sts[0].Note != "" {
		t.Errorf("note after a full pass = %q, want none", sts[0].Note)
	}
}
