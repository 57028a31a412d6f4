package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
)

// TestDemoMergeFollowsSurvivor: the demo's merge move executes against
// its fake HubSpot, which gives the merged Priya a new id; afterwards the
// queue's moves about Priya name that id, and both old ids find her.
func TestDemoMergeFollowsSurvivor(t *testing.T) {
	run, today, path := demoCLI(t)
	var merge app.MoveDTO
	priya := map[uint64]bool{}
	for _, m := range today.Moves {
		if m.Kind == "merge_contacts" {
			merge = m
		} else if m.ContactID == "1005" || m.ContactID == "1012" {
			priya[m.ID] = true
		}
	}
	if merge.ID == 0 || len(priya) == 0 {
		t.Fatalf("the demo has no merge move (%d) or no other move about Priya (%v)", merge.ID, priya)
	}
	if code, out, errb := run("execute", strconv.FormatUint(merge.ID, 10), "--yes"); code != 0 || !strings.Contains(out, "Done") {
		t.Fatalf("execute the merge = %d\n%s%s", code, out, errb)
	}
	code, out, errb := run("today", "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var after app.TodayDTO
	if err := json.Unmarshal([]byte(out), &after); err != nil {
		t.Fatal(err)
	}
	survivor := ""
	for _, m := range after.Moves {
		if !priya[m.ID] {
			continue
		}
		if m.ContactID == "1005" || m.ContactID == "1012" || m.ContactID == "" {
			t.Errorf("move %q is still about contact %q after the merge", m.Title, m.ContactID)
		}
		survivor = m.ContactID
	}
	if survivor == "" {
		t.Fatal("no move about Priya left in the queue")
	}
	updateDemo(t, path, func(tx backend.Tx) error {
		for _, id := range []string{"1005", "1012"} {
			if c, err := tx.FindContact(id); err != nil || c.ID != survivor || c.Email != "priya@finchpay.com" {
				t.Errorf("FindContact(%s) = %+v, %v; want the survivor %s with Priya's work address", id, c, err, survivor)
			}
		}
		return nil
	})
}
