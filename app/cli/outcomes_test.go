package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
)

func outcomesOf(tb testing.TB, run cliRun, args ...string) []app.OutcomeDTO {
	tb.Helper()
	code, out, errb := run("", append([]string{"outcomes", "--json"}, args...)...)
	var l []app.OutcomeDTO
	if err := json.Unmarshal([]byte(out), &l); code != 0 || err != nil {
		tb.Fatalf("outcomes --json %v: %d %v %q %q", args, code, err, out, errb)
	}
	return l
}

// `caseyos outcome` and `outcomes` on the demo: a done move takes an
// outcome by hand and a correction of it; a pending one, an unknown type
// and a bad id are refused.
func TestCLI_Outcomes(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, stdin, args...)
	}
	today := todayOf(t, run)
	var note, pending app.MoveDTO
	for _, m := range today.Moves {
		if m.Kind == "note" && note.ID == 0 {
			note = m
		} else if pending.ID == 0 {
			pending = m
		}
	}
	if note.ID == 0 {
		t.Fatalf("the demo has no note move: %+v", today.Moves)
	}
	if code, out, errb := run("", "execute", itoa(note.ID), "--yes"); code != 0 {
		t.Fatalf("execute note: %d %q %q", code, out, errb)
	}
	if l := outcomesOf(t, run, itoa(note.ID)); len(l) != 0 {
		t.Fatalf("a note has outcomes %+v before any is recorded", l)
	}
	code, out, errb := run("", "outcome", itoa(note.ID), "meeting_held", "--note", "they came with two engineers")
	if code != 0 || !strings.Contains(out, "Recorded Meeting held for move "+itoa(note.ID)) {
		t.Fatalf("outcome: %d %q %q", code, out, errb)
	}
	l := outcomesOf(t, run, itoa(note.ID))
	if len(l) != 1 || l[0].Type != "meeting_held" || l[0].Note != "they came with two engineers" || l[0].Actor != "cli" || l[0].SignalID != 0 {
		t.Fatalf("outcomes = %+v", l)
	}
	code, out, errb = run("", "outcome", itoa(note.ID), "NO_SHOW", "--corrects", itoa(l[0].ID), "--json")
	var c app.OutcomeDTO
	if err := json.Unmarshal([]byte(out), &c); code != 0 || err != nil || c.Type != "no_show" || c.Corrects != l[0].ID {
		t.Fatalf("outcome --corrects: %d %v %q %q", code, err, out, errb)
	}
	if code, out, _ := run("", "outcomes", itoa(note.ID)); code != 0 || !strings.Contains(out, "corrected by outcome "+itoa(c.ID)) || !strings.Contains(out, "No-show (by hand)") {
		t.Errorf("outcomes (text): %d %q", code, out)
	}
	recent := outcomesOf(t, run)
	if len(recent) < 2 || recent[0].ID != c.ID || recent[0].MoveTitle != note.Title {
		t.Errorf("outcomes (latest) = %+v, want the correction first, with its move's title", recent)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		code, _, errb := run("", "outcome", itoa(pending.ID), "replied")
		if code != 1 || !strings.Contains(errb, "outcomes are recorded for moves that were carried out") {
			t.Errorf("outcome on a pending move: %d %q", code, errb)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if code, _, errb := run("", "outcome", itoa(note.ID), "great"); code != 1 || !strings.Contains(errb, `"great" is unknown`) {
			t.Errorf("outcome great: %d %q", code, errb)
		}
		if code, _, _ := run("", "outcome", "x", "replied"); code != 2 {
			t.Errorf("outcome x: %d, want a usage error", code)
		}
		if code, _, _ := run("", "outcome", itoa(note.ID)); code != 2 {
			t.Errorf("outcome without a type: %d, want a usage error", code)
		}
		if code, _, _ := run("", "outcomes", "1", "2"); code != 2 {
			t.Errorf("outcomes with two ids: %d, want a usage error", code)
		}
		if code, _, errb := run("", "outcomes", "99999"); code != 1 || !strings.Contains(errb, "not found") {
			t.Errorf("outcomes of a missing move: %d %q", code, errb)
		}
	})
}

// In a workspace connected to the fakes: a reply sent through Gmail, the
// answer synced back, its outcomes listed as detected, one corrected by
// hand.
func TestCLI_OutcomesConnected(t *testing.T) {
	w := newConnectedWorkspace(t)
	run := func(stdin string, args ...string) (int, string, string) { return w.run(t, stdin, args...) }
	if code, out, errb := run("", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once: %d %q %q", code, out, errb)
	}
	w.setUndoWindow(t, time.Second)
	dana := moveLike(t, todayOf(t, run), "send_email", "Dana Whitfield")
	if code, out, errb := run("", "execute", itoa(dana.ID), "--yes"); code != 0 {
		t.Fatalf("execute: %d %q %q", code, out, errb)
	}
	sent := sentTo(w.mail, "dana@northwind.io")
	if len(sent) != 1 {
		t.Fatalf("Gmail received %d messages for Dana", len(sent))
	}
	ours := sent[0].Header.Get("Message-Id")
	time.Sleep(1100 * time.Millisecond) // the fake dates mail by the wall clock, to the second
	w.mail.Deliver(gmailtest.Message{ThreadID: sent[0].ThreadID, From: "Dana Whitfield <dana@northwind.io>", To: []string{"casey@pebblecache.dev"},
		Subject: "Re: " + sent[0].Header.Get("Subject"), Body: "Thanks, that helps. Could we book a call on Thursday to walk the team through it?",
		InReplyTo: ours, References: []string{ours}})
	if code, out, errb := run("", "sync", "--once"); code != 0 {
		t.Fatalf("sync --once after her reply: %d %q %q", code, out, errb)
	}
	l := outcomesOf(t, run, itoa(dana.ID))
	types := []string{}
	for _, o := range l {
		types = append(types, o.Type)
		if o.SignalID == 0 || o.Actor != "system" || !strings.Contains(o.Note, "Dana Whitfield") {
			t.Errorf("detected outcome %+v does not name its signal and who", o)
		}
	}
	if strings.Join(types, ",") != "replied,positive_reply" {
		t.Fatalf("outcomes after her reply = %v, want replied,positive_reply", types)
	}
	if code, out, _ := run("", "outcomes", itoa(dana.ID)); code != 0 || !strings.Contains(out, "Replied (detected)") || !strings.Contains(out, "Dana Whitfield replied") {
		t.Errorf("outcomes (text): %d %q", code, out)
	}
	// Synced again: nothing new.
	if code, _, _ := run("", "sync", "--once"); code != 0 || len(outcomesOf(t, run, itoa(dana.ID))) != 2 {
		t.Errorf("a second sync changed the outcomes")
	}
	code, out, errb := run("", "outcome", itoa(dana.ID), "negative_reply", "--corrects", itoa(l[1].ID), "--note", "she was being polite")
	if code != 0 || !strings.Contains(out, "Corrected outcome "+itoa(l[1].ID)) {
		t.Fatalf("outcome --corrects: %d %q %q", code, out, errb)
	}
}
