package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestDemoFeed loads the demo workspace the way the binary does: the
// scenario's own lines for what no vendor sends, and HubSpot, Gmail and
// Calendar through their real connectors from the in-process fakes.
func TestDemoFeed(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(time.Now().Truncate(time.Second))
	run := func(args ...string) []byte {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: clock,
			Open:     func(p string) (backend.Store, error) { return store.Open(p, store.Options{}) },
			DemoFeed: demoFeed(clock),
		})
		if code != 0 {
			t.Fatalf("caseyos %v: %d %s", args, code, errb.String())
		}
		return out.Bytes()
	}
	var today app.TodayDTO
	if err := json.Unmarshal(run("today", "--json", "--limit", "50"), &today); err != nil {
		t.Fatal(err)
	}
	// The scenario's moves, and the follow-ups of the history's two
	// unanswered cold emails (backend/demo/history.go).
	if n := len(today.Moves); !today.Workspace.Demo || n < 12 || n > 22 {
		t.Fatalf("demo: demo %v, %d moves; want the demo with 12–22", today.Workspace.Demo, n)
	}
	for _, d := range []string{"sales", "marketing", "cs"} {
		if today.ByDomain[d] == 0 {
			t.Errorf("no %s moves", d)
		}
	}
	bySource := map[string]int{}
	var reply *app.MoveDTO
	for i, m := range today.Moves {
		bySource[m.Source]++
		if m.Source == "gmail" && m.Kind == "send_email" && strings.Contains(m.Title, "Dana Whitfield") {
			reply = &today.Moves[i]
		}
	}
	if bySource["hubspot"] < 3 || bySource["gmail"] < 2 || bySource["gcal"] < 2 {
		t.Errorf("moves by source = %v, want the deals', the mail's and the meetings' moves through their connectors", bySource)
	}
	// Mail is tied to the CRM's records, which HubSpot brought first.
	if reply == nil || reply.ContactID != "1001" || reply.DealID != "9001" {
		t.Errorf("reply to Dana = %+v, want it about HubSpot contact 1001 and deal 9001", reply)
	}
	// The fakes' passes leave no account connected in the demo.
	var st cli.StatusDTO
	if err := json.Unmarshal(run("status", "--json"), &st); err != nil {
		t.Fatal(err)
	}
	for _, a := range st.Accounts {
		if a.State != "not_connected" {
			t.Errorf("demo shows %s as %s", a.Account, a.State)
		}
	}
}

// demoCLI loads the demo workspace with its fakes for executing, with no
// undo window (the CLI would otherwise wait it out on a clock that does
// not move), and returns how to run a command in it and Today's moves.
func demoCLI(t *testing.T) (run func(args ...string) (int, string, string), today app.TodayDTO, path string) {
	t.Helper()
	dir := t.TempDir()
	// A Wednesday at 16:00 UTC: inside every demo recipient's send window.
	clock := backend.NewManualClock(time.Date(2026, 3, 11, 16, 0, 0, 0, time.UTC))
	run = func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: clock,
			Open:         func(p string) (backend.Store, error) { return store.Open(p, store.Options{}) },
			DemoFeed:     demoFeed(clock),
			DemoAccounts: demoAccounts(clock),
		})
		return code, out.String(), errb.String()
	}
	code, out, errb := run("today", "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	updateDemo(t, today.Workspace.Path, func(tx backend.Tx) error {
		s, err := tx.Settings()
		if err != nil {
			return err
		}
		s.UndoWindow = 0
		return tx.PutSettings(s)
	})
	return run, today, today.Workspace.Path
}

// updateDemo changes the demo's data file directly (no process holds it).
func updateDemo(t *testing.T, path string, fn func(tx backend.Tx) error) {
	t.Helper()
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestDemoMovesExecute executes one move of every kind the demo offers
// against the demo's own fakes, as `caseyos execute ID --yes` does: each
// is carried out, the reply to @devjess's mention through the X connector
// to the demo's fake X.
func TestDemoMovesExecute(t *testing.T) {
	run, today, _ := demoCLI(t)
	first := map[string]app.MoveDTO{}
	for _, m := range today.Moves {
		if _, ok := first[m.Kind]; !ok {
			first[m.Kind] = m
		}
	}
	for _, kind := range []string{"send_email", "create_task", "merge_contacts", "note", "reply_social", "schedule_meeting", "update_deal"} {
		m, ok := first[kind]
		if !ok {
			t.Errorf("the demo has no %s move", kind)
			continue
		}
		code, out, errb := run("execute", strconv.FormatUint(m.ID, 10), "--yes")
		if code != 0 || !strings.Contains(out, "Done") {
			t.Errorf("execute %s (%q) = %d\n%s%s", kind, m.Title, code, out, errb)
		}
	}
}

// TestDemoExecuteTemplateHoles: `caseyos execute` lists a draft's template
// text in the preview and refuses it, naming the line and the flag that
// sends it anyway; with --allow-template it goes out against the fake.
func TestDemoExecuteTemplateHoles(t *testing.T) {
	run, today, path := demoCLI(t)
	var id uint64
	for _, m := range today.Moves {
		if m.Kind == "send_email" && strings.HasPrefix(m.Title, "Follow up after") {
			id = m.ID
		}
	}
	if id == 0 {
		t.Fatal("the demo has no meeting follow-up")
	}
	updateDemo(t, path, func(tx backend.Tx) error {
		m, err := tx.FindMove(id)
		if err != nil {
			return err
		}
		m.Draft.Body = "Hi [First Name],\n\nThanks for the time. Recap and next steps:\n\n- \n"
		return tx.UpdateMove(m)
	})
	sid := strconv.FormatUint(id, 10)
	code, out, errb := run("execute", sid, "--yes")
	if code != cli.ExitError || !strings.Contains(out, "Template text left: line 5: an empty bullet '- '") ||
		!strings.Contains(errb, "line 1: a placeholder '[First Name]'; line 5: an empty bullet '- '") || !strings.Contains(errb, "--allow-template") {
		t.Fatalf("execute with template holes = %d\n%s%s\nwant a refusal naming both lines and --allow-template", code, out, errb)
	}
	if code, out, errb := run("execute", sid, "--yes", "--allow-template"); code != 0 || !strings.Contains(out, "Done") {
		t.Fatalf("execute --allow-template = %d\n%s%s", code, out, errb)
	}
	_, out, _ = run("audit")
	if !strings.Contains(out, "template text kept on purpose: line 1: a placeholder '[First Name]'") {
		t.Errorf("audit does not record the override:\n%s", out)
	}
}

// TestDemoSampleCompanyName: the demo's founder sells her own product,
// Pebblecache; nothing the demo shows (moves, drafts, reasons, signals from
// the scenario and from every fake) calls it CaseyOS, the app's name.
// Our own Message-IDs (<caseyos.KEY@domain>) are the app's mark, not a name.
func TestDemoSampleCompanyName(t *testing.T) {
	_, _, path := demoCLI(t)
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := backend.NewServices(db, backend.NewManualClock(time.Now()), nil)
	sigs, _, err := q.Ingest.Signals(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var moves []*backend.Move
	if err := db.View(context.Background(), func(tx backend.Tx) error {
		var err error
		moves, _, err = tx.FindMoves(backend.MoveFilter{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(sigs) < 30 || len(moves) < 10 {
		t.Fatalf("the demo holds %d signals and %d moves, want its whole week", len(sigs), len(moves))
	}
	ourIDs := regexp.MustCompile(`caseyos\.[a-z0-9-]+@`)
	for _, v := range []any{sigs, moves} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		text := ourIDs.ReplaceAllString(string(b), "")
		if i := strings.Index(strings.ToLower(text), "caseyos"); i >= 0 {
			t.Errorf("the demo calls the founder's product CaseyOS: …%s…", text[max(i-80, 0):min(i+60, len(text))])
		}
	}
}
