package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestCLI_Learning: outcomes on earlier emails to a demo contact's segment
// show as the fifth line of `explain`; `learning off` restores the plain
// APS; `learning reset` forgets them and is audited.
func TestCLI_Learning(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	code, out, errb := runCLI(t, dir, clock, "", "--demo", "today", "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	var target *app.MoveDTO
	for i, m := range today.Moves {
		if m.Kind == string(backend.KindSendEmail) && m.ContactID != "" {
			target = &today.Moves[i]
			break
		}
	}
	if target == nil || target.Score.Learned == nil || !strings.Contains(target.Score.Learned.Reason, "no outcomes yet") {
		t.Fatalf("no demo email move with an empty learned line: %+v", target)
	}
	plain := target.APS
	// Seven earlier emails to the same contact, five answered positively.
	db, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var done []uint64
	err = db.Update(ctx, func(tx backend.Tx) error {
		m, err := tx.FindMove(target.ID)
		if err != nil {
			return err
		}
		for i := 0; i < 7; i++ {
			d := &backend.Move{Kind: m.Kind, Domain: m.Domain, Title: "Earlier email", Status: backend.StatusDone,
				Subject: backend.Subject{Type: backend.SubjectThread, ID: fmt.Sprintf("earlier-%d", i)}, Draft: backend.Draft{To: m.Draft.To},
				ContactID: m.ContactID, CompanyID: m.CompanyID, Source: m.Source, Score: backend.Score{Learned: backend.Learned{Cell: m.Score.Learned.Cell}}}
			if err := tx.CreateMove(d); err != nil {
				return err
			}
			done = append(done, d.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	q := backend.NewServices(db, clock, nil)
	for i, id := range done {
		typ := backend.OutcomePositiveReply
		if i >= 5 {
			typ = backend.OutcomeNoResponse
		}
		if _, err := q.Outcomes.Record(ctx, backend.OutcomeInput{MoveID: id, Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	code, out, errb = runCLI(t, dir, clock, "", "--demo", "explain", itoa(target.ID))
	if code != 0 {
		t.Fatalf("explain: %d %s", code, errb)
	}
	line := regexp.MustCompile(`(?m)^  learned += \+(\d+\.\d) +learned: emails \((?:sales|marketing|cs)\) to .* got a positive reply or a meeting 5 of 7 times \(71 %, prior 30 %; recent ones weigh more\) → \+(\d+\.\d)$`).FindStringSubmatch(out)
	if line == nil || line[1] != line[2] || line[1] == "0.0" {
		t.Fatalf("explain has no learned line with 5 of 7:\n%s", out)
	}
	if !strings.Contains(out, " +"+line[1]+" learned\n") {
		t.Errorf("the formula does not add the learned points:\n%s", out)
	}

	code, out, errb = runCLI(t, dir, clock, "", "--demo", "learning", "off")
	if code != 0 || !strings.Contains(out, "learning off") {
		t.Fatalf("learning off: %d %s %s", code, out, errb)
	}
	code, out, _ = runCLI(t, dir, clock, "", "--demo", "explain", itoa(target.ID), "--json")
	var e app.ExplainDTO
	if code != 0 || json.Unmarshal([]byte(out), &e) != nil {
		t.Fatalf("explain --json: %d %s", code, out)
	}
	if e.Move.APS != plain || e.Move.Score.Learned.Points != 0 || e.Move.Score.Learned.Reason != "learned: off" {
		t.Errorf("learning off: APS %v, learned %+v; want the plain %v", e.Move.APS, e.Move.Score.Learned, plain)
	}

	runCLI(t, dir, clock, "", "--demo", "learning", "on")
	code, out, errb = runCLI(t, dir, clock, "", "--demo", "learning", "reset")
	if code != 0 || !strings.Contains(out, "reset") {
		t.Fatalf("learning reset: %d %s %s", code, out, errb)
	}
	_, out, _ = runCLI(t, dir, clock, "", "--demo", "explain", itoa(target.ID))
	if !strings.Contains(out, "learned: no outcomes yet") {
		t.Errorf("after reset explain says:\n%s", out)
	}
	_, out, _ = runCLI(t, dir, clock, "", "--demo", "audit", "--limit", "5")
	if !strings.Contains(out, backend.AuditLearningReset) {
		t.Errorf("audit has no %s entry:\n%s", backend.AuditLearningReset, out)
	}
	if code, _, _ := runCLI(t, dir, clock, "", "--demo", "learning", "sideways"); code == 0 {
		t.Errorf("learning sideways succeeded")
	}
}
