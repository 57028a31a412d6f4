package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// mention is a good line: a mention on X, one move each.
func mention(i int, at time.Time) string {
	return fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:%d","post":{"id":"p%d","author":"dev%d","text":"hello"}}`,
		at.UTC().Format(time.RFC3339), i, i, i)
}

// contactLine is a good line that calls for no move: cheap to store by the
// thousand.
func contactLine(i int, at time.Time) string {
	return fmt.Sprintf(`{"source":"hubspot","type":"contact.created","occurred_at":%q,"dedupe_key":"hs:c%d","contact":{"id":"c%d","email":"c%d@example.com","name":"Contact %d"}}`,
		at.UTC().Format(time.RFC3339), i, i, i, i)
}

// hostileLine is a line that must be rejected with a reason.
type hostileLine struct {
	line, reason string
}

// hostileLines are the bad lines a file can hold; each must be rejected on
// its own with its reason.
func hostileLines(at time.Time) []hostileLine {
	ts := at.UTC().Format(time.RFC3339)
	return []hostileLine{
		{`{"source":"x","type":"social.mention","occurred_at":"9999-12-31T23:59:59Z","dedupe_key":"x:y9999","post":{"id":"y9999","author":"a"}}`,
			"occurred_at 9999-12-31T23:59:59Z is out of range"},
		{`{"source":"x","type":"social.mention","occurred_at":"0001-01-01T00:00:00Z","dedupe_key":"x:y1","post":{"id":"y1","author":"a"}}`,
			"occurred_at 0001-01-01T00:00:00Z is out of range"},
		{fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:nul\u0000","post":{"id":"nul","author":"a"}}`, ts),
			"dedupe_key contains a control character (U+0000)"},
		{fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:latin1","post":{"id":"latin1","author":"Jos`, ts) + "\xe9" + `"}}`,
			"not valid UTF-8"}, // Latin-1, not UTF-8
		{`[1,2,3]`, "must be a JSON object, not an array"},
		{`42`, "must be a JSON object, not a number"},
		{fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:huge","post":{"id":"huge","author":"a","text":"%s"}}`,
			ts, strings.Repeat("a", 5<<20)), "longer than 4 MB"},
		{fmt.Sprintf(`{"source":"x","type":"social.mention","occurred_at":%q,"dedupe_key":"x:future","post":{"id":"future","author":"a"}}`,
			at.AddDate(1, 0, 0).UTC().Format(time.RFC3339)), "more than 24h after now"},
	}
}

func ingestJSON(tb testing.TB, out string) app.IngestDTO {
	tb.Helper()
	var rep app.IngestDTO
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		tb.Fatalf("ingest --json output is not JSON: %v\n%.500s", err, out)
	}
	return rep
}

// TestCLI_IngestHostileLines is the regression test for an import that
// one bad line stopped: a year-9999 time failed the batch's transaction, a
// line over 4 MB ended the import and dropped the batch it was building.
// Each bad line is now rejected with its line number and reason, and every
// good line around it is stored.
func TestCLI_IngestHostileLines(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	at := now.Add(-time.Hour)
	var b strings.Builder
	b.WriteString("\ufeff" + mention(0, at) + "\r\n") // a byte order mark, CR LF endings
	want := map[int]string{}
	n := 1
	good := 1
	for i, h := range hostileLines(now) {
		b.WriteString(mention(100+i, at) + "\r\n")
		b.WriteString(h.line + "\r\n")
		n += 2
		good++
		want[n] = h.reason
	}
	// Text is cleaned, not refused: a NUL and an escape sequence in a subject.
	b.WriteString(`{"source":"gmail","type":"email.replied","occurred_at":"` + at.Format(time.RFC3339) + `","dedupe_key":"g:1",` +
		`"email":{"thread_id":"t1","from":"maya@acme.io","from_name":"Maya\u0000","subject":"Pri\u0000cing\u001b[2J\r\nBcc: x@evil.io"}}` + "\n")
	good++
	b.WriteString(mention(999, at)) // no newline at the end
	good++

	code, out, errb := runCLI(t, dir, clock, b.String(), "ingest", "--json", "-")
	if code != cli.ExitPartial {
		t.Fatalf("ingest exit = %d, want %d; stderr %.500s", code, cli.ExitPartial, errb)
	}
	rep := ingestJSON(t, out)
	if rep.Stored != good || len(rep.Rejected) != len(want) {
		t.Errorf("stored %d, rejected %d; want %d stored, %d rejected: %+v", rep.Stored, len(rep.Rejected), good, len(want), rep.Rejected)
	}
	for _, r := range rep.Rejected {
		if reason, ok := want[r.Line]; !ok || !strings.Contains(r.Message, reason) || r.Code != backend.EINVALID {
			t.Errorf("rejected line %d: %s %q; want %q", r.Line, r.Code, r.Message, reason)
		}
		delete(want, r.Line)
	}
	for line, reason := range want {
		t.Errorf("line %d was not rejected (%s)", line, reason)
	}

	code, out, errb = runCLI(t, dir, clock, "", "today", "--json", "--limit", "50")
	if code != 0 {
		t.Fatalf("today: %d %s", code, errb)
	}
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil {
		t.Fatal(err)
	}
	if today.Workspace.Demo || today.Pending != good {
		t.Errorf("today: demo %v, %d pending; want the own workspace with %d moves", today.Workspace.Demo, today.Pending, good)
	}
	var reply *app.MoveDTO
	for i := range today.Moves {
		if today.Moves[i].Draft.ThreadID == "t1" {
			reply = &today.Moves[i]
		}
	}
	if reply == nil {
		t.Fatal("no reply move for the email with a NUL in its subject")
	}
	for field, v := range map[string]string{"title": reply.Title, "subject": reply.Draft.Subject, "body": reply.Draft.Body} {
		if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\x1b\r") || (field != "body" && strings.Contains(v, "\n")) {
			t.Errorf("reply %s = %q, want no NUL, escape or line break", field, v)
		}
	}
	if reply.Draft.Subject != "Re: Pricing[2J  Bcc: x@evil.io" {
		t.Errorf("reply subject = %q", reply.Draft.Subject)
	}
}

// TestCLI_IngestNothingStored is the regression test for an import that
// stored nothing but left an empty caseyos.db behind, which hid the demo.
func TestCLI_IngestNothingStored(t *testing.T) {
	clock := backend.NewManualClock(now)
	var bad []string
	for _, h := range hostileLines(now) {
		bad = append(bad, h.line)
	}
	tests := []struct {
		name  string
		input string
		code  int
		msg   string
	}{
		{"OnlyBadLines", strings.Join(bad, "\n") + "\n", cli.ExitPartial, "Nothing stored"},
		{"Empty", "", cli.ExitOK, "No signals"},
		{"OnlyComments", "\ufeff# a header\n\n# nothing else\r\n", cli.ExitOK, "No signals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errb := runCLI(t, dir, clock, tt.input, "ingest", "-")
			if code != tt.code || !strings.Contains(out, tt.msg) {
				t.Errorf("ingest: exit %d, stdout %q, stderr %.300q; want %d and %q", code, out, errb, tt.code, tt.msg)
			}
			if _, err := os.Stat(filepath.Join(dir, "caseyos.db")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("caseyos.db after an import that stored nothing: %v, want none", err)
			}
			code, out, errb = runCLI(t, dir, clock, "", "today")
			if code != 0 || !strings.Contains(out, "DEMO WORKSPACE") {
				t.Errorf("today after: %d %q %q; want the demo", code, out, errb)
			}
		})
	}
	t.Run("ExistingWorkspaceStays", func(t *testing.T) {
		dir := t.TempDir()
		if code, _, errb := runCLI(t, dir, clock, mention(1, now.Add(-time.Hour))+"\n", "ingest", "-"); code != 0 {
			t.Fatalf("first ingest: %d %s", code, errb)
		}
		code, _, _ := runCLI(t, dir, clock, strings.Join(bad, "\n"), "ingest", "-")
		if _, err := os.Stat(filepath.Join(dir, "caseyos.db")); code != cli.ExitPartial || err != nil {
			t.Errorf("bad lines into an existing workspace: exit %d, stat %v; want %d and the workspace kept", code, err, cli.ExitPartial)
		}
	})
}

// TestCLI_IngestReadError: a read that fails part way stores what was read
// before it, and says how far it got.
func TestCLI_IngestReadError(t *testing.T) {
	dir := t.TempDir()
	var lines strings.Builder
	for i := 0; i < 5; i++ {
		lines.WriteString(mention(i, now.Add(-time.Hour)) + "\n")
	}
	in := io.MultiReader(strings.NewReader(lines.String()), iotest.ErrReader(errors.New("disk on fire")))
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), []string{"--data-dir", dir, "ingest", "-"}, cli.Env{
		Stdin: in, Stdout: &out, Stderr: &errb, Clock: backend.NewManualClock(now),
		Open: func(p string) (backend.Store, error) {
			return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
		},
	})
	if code != cli.ExitError || !strings.Contains(errb.String(), "stopped after storing 5 signals") ||
		!strings.Contains(errb.String(), "reading signals failed after line 5") {
		t.Errorf("ingest with a failing reader: exit %d, stderr %q; want %d, 5 stored", code, errb.String(), cli.ExitError)
	}
}

// TestCLI_IngestLongLineMidBatch: a line over the limit in the middle of a
// batch loses none of the batch.
func TestCLI_IngestLongLineMidBatch(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	at := now.Add(-time.Hour)
	var b strings.Builder
	const total = 3000
	for i := 0; i < total; i++ {
		if i == total/2 {
			b.WriteString(`{"source":"x","payload":{"a":"` + strings.Repeat("x", 4<<20) + "\"}}\n")
		}
		b.WriteString(contactLine(i, at) + "\n")
	}
	code, out, errb := runCLI(t, dir, clock, b.String(), "ingest", "--json", "-")
	rep := ingestJSON(t, out)
	if code != cli.ExitPartial || rep.Stored != total || len(rep.Rejected) != 1 || rep.Rejected[0].Line != total/2+1 {
		t.Errorf("ingest: exit %d, stored %d, rejected %+v, stderr %.300q; want %d, %d stored, line %d rejected",
			code, rep.Stored, rep.Rejected, errb, cli.ExitPartial, total, total/2+1)
	}
}

// TestCLI_IngestManyRejected: past the first 100 rejected lines the CLI
// says how many more there were and why, and --json says the list was cut.
func TestCLI_IngestManyRejected(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	var in strings.Builder
	in.WriteString(mention(1, now.Add(-time.Hour)) + "\n")
	for i := 0; i < 1_234_567; i++ {
		if i%2 == 0 {
			in.WriteString("[]\n")
		} else {
			in.WriteString("nope\n")
		}
	}
	code, out, errOut := runCLI(t, dir, clock, in.String(), "ingest", "-")
	if code != cli.ExitPartial {
		t.Fatalf("exit = %d, want %d\n%s%.300s", code, cli.ExitPartial, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 101 || !strings.HasPrefix(lines[0], "line 2: ") || !strings.HasPrefix(lines[99], "line 101: ") {
		t.Fatalf("stderr has %d lines, want 100 rejected lines and a summary:\n%.400s", len(lines), errOut)
	}
	wantSum := "… and 1,234,467 more rejected lines; reasons: not a valid signal: the line must be a JSON object, not an array (617,284); not a valid signal:"
	if !strings.HasPrefix(lines[100], wantSum) || !strings.HasSuffix(lines[100], "(617,283)") {
		t.Errorf("summary = %q, want it to start %q and end (617,283)", lines[100], wantSum)
	}
	if !strings.Contains(out, "1234567 rejected") {
		t.Errorf("stdout = %q, want the rejected lines counted in all", out)
	}
	code, out, _ = runCLI(t, dir, clock, "[]\n"+strings.Repeat("nope\n", 150), "ingest", "--json", "-")
	rep := ingestJSON(t, out)
	if code != cli.ExitPartial || len(rep.Rejected) != 100 || rep.RejectedTotal != 151 || !rep.RejectedCut || len(rep.RejectedReasons) != 2 {
		t.Errorf("ingest --json: exit %d, %d rejected listed of %d, cut %v, reasons %v; want exit 3, 100 of 151, cut, 2 reasons",
			code, len(rep.Rejected), rep.RejectedTotal, rep.RejectedCut, rep.RejectedReasons)
	}
}
