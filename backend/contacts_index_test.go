package backend_test

import (
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The duplicate index is built for the check after a sync, kept while
// syncs come close together, dropped once idle, and built again — finding
// the same duplicates — by the next check.
func TestContactService_DuplicateIndexDroppedWhenIdle(t *testing.T) {
	const idle = 150 * time.Millisecond
	f := newQueue(t)
	f.q = backend.NewServices(f.db, f.clock, nil, backend.LocalExecutor{})
	f.q.WatchDuplicates()
	backend.SetDuplicateIndexIdle(f.q.Contacts, idle)
	held := func() (bool, int) { return backend.DuplicateIndexHeld(f.q.Contacts) }

	if ok, _ := held(); ok {
		t.Fatal("the index is held before any check")
	}
	f.ingest(t, hubspotContact("701", "rmiller@acme.example", "Robert Miller", "+1 415 555 0100"))
	if ok, _ := held(); !ok {
		t.Fatal("the check after a sync built no index")
	}
	// Syncs closer together than the idle time keep it.
	for i, id := range []string{"702", "703", "704"} {
		time.Sleep(idle / 2)
		f.ingest(t, hubspotContact(id, id+"@initech.example", "Person "+id, ""))
		if ok, drops := held(); !ok || drops != 0 {
			t.Fatalf("after sync %d, %v apart: held %v, %d drops; want kept", i+2, idle/2, ok, drops)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		ok, drops := held()
		if !ok && drops == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("held %v, %d drops after 5 s idle; want the index dropped once", ok, drops)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The next check builds it again and still finds Robert Miller twice.
	f.ingest(t, hubspotContact("705", "bob.miller@gmail.com", "Bob Miller", "(415) 555-0100"))
	if ok, _ := held(); !ok {
		t.Fatal("the check after the idle spell built no index")
	}
	pairs, _, err := f.q.Contacts.Duplicates(f.ctx, 0, false)
	if err != nil || len(pairs) != 1 || pairs[0].Keep.ID+pairs[0].Merge.ID != "701705" {
		t.Errorf("Duplicates after the rebuild = %+v, %v; want Robert Miller (701) and Bob Miller (705)", pairs, err)
	}
}
