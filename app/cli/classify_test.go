package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/intent"
)

func TestCLI_Classify(t *testing.T) {
	clock := backend.NewManualClock(now)
	input := strings.Join([]string{
		`{"subject":"Re: intro","body":"Could we talk tomorrow at 3pm?\n\nOn Fri, Oct 30, 2026 at 9:00 AM Casey <c@p.io> wrote:\n> Is Monday better?","from":"Dana <dana@northwind.io>","received_at":"2026-10-31T11:00:00-04:00","timezone":"America/New_York"}`,
		``,
		`{"subject":"Re: intro","body":"Please remove me from your list."}`,
		`{"subject":"Re: pricing","body":"What would pricing look like for 40 engineers? Our budget is $40k."}`,
	}, "\n")

	t.Run("JSON", func(t *testing.T) {
		dir := t.TempDir()
		code, out, errb := runCLI(t, dir, clock, input, "classify", "--json", "-")
		if code != cli.ExitOK || errb != "" {
			t.Fatalf("classify --json: exit %d, stderr %q", code, errb)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("classify --json printed %d lines, want one per email (3):\n%s", len(lines), out)
		}
		var res []intent.Result
		for _, l := range lines {
			var r intent.Result
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			res = append(res, r)
		}
		want := []intent.Label{intent.MeetingRequest, intent.Unsubscribe, intent.PricingQuestion}
		for i, r := range res {
			if r.Intent != want[i] || len(r.Evidence) == 0 {
				t.Errorf("email %d: %s %v, want %s with evidence", i+1, r.Intent, r.Evidence, want[i])
			}
		}
		// received_at and timezone: tomorrow is Sunday 1 November, after
		// New York left DST.
		if ts := res[0].Entities.Times; len(ts) != 1 || ts[0].Start.Format("2006-01-02T15:04:05Z07:00") != "2026-11-01T15:00:00-05:00" {
			t.Errorf("times = %+v, want 2026-11-01T15:00:00-05:00", ts)
		}
		if len(res[0].Entities.Questions) != 1 {
			t.Errorf("questions = %+v, want the sender's one (not the quoted one)", res[0].Entities.Questions)
		}
		if e := res[2].Entities; e.Seats != 40 || len(e.Amounts) != 1 || e.Amounts[0].Value != 40000 {
			t.Errorf("entities = %+v, want 40 seats and $40k", e)
		}
		// No workspace was needed, none was created.
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("classify created %v in the data dir", entries)
		}
	})

	t.Run("Readable", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "in.jsonl")
		if err := os.WriteFile(f, []byte(input), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errb := runCLI(t, t.TempDir(), clock, "", "classify", f)
		if code != cli.ExitOK || errb != "" {
			t.Fatalf("classify FILE: exit %d, stderr %q", code, errb)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		for i, want := range []string{`meeting_request`, `unsubscribe`, `pricing_question`} {
			if i >= len(lines) || !strings.HasPrefix(lines[i], want+" ") {
				t.Errorf("line %d: want it to start with %q:\n%s", i+1, want, out)
			}
		}
		if !strings.Contains(lines[0], "time Sun 1 Nov 15:00–15:30 EST") || !strings.Contains(lines[1], `"remove me"`) || !strings.Contains(lines[2], "40 seats") {
			t.Errorf("readable lines lack what was found:\n%s", out)
		}
	})

	t.Run("Hostile", func(t *testing.T) {
		long := `{"subject":"x","body":"` + strings.Repeat("a", 5<<20) + `"}`
		binary := string([]byte{0xff, 0xfe, 0x00, 0x01, '{', 0x80, '"'})
		hostile := strings.Join([]string{
			`{"subject":"Re: intro","body":"Stop emailing me."}`,
			`{"subject": "broken`,
			long,
			binary,
			`{"subject":"Re: x","body":"Thanks","received_at":"yesterday"}`,
			`{"subject":"Re: x","body":"Thanks","timezone":"Mars/Olympus"}`,
			`["an", "array"]`,
			`{"subject":"Automatic reply","body":"I am out of the office until Monday."}`,
			`{"subject":"","body":""}`,
		}, "\r\n")
		f := filepath.Join(t.TempDir(), "hostile.jsonl")
		if err := os.WriteFile(f, []byte(hostile), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errb := runCLI(t, t.TempDir(), clock, "", "classify", "--json", f)
		if code != cli.ExitPartial {
			t.Errorf("exit %d, want %d (some lines failed)", code, cli.ExitPartial)
		}
		for _, l := range []string{"line 2:", "line 3: longer than", "line 4:", "line 5: received_at", "line 6: timezone", "line 7:"} {
			if !strings.Contains(errb, l) {
				t.Errorf("stderr lacks %q:\n%s", l, errb)
			}
		}
		if strings.Contains(errb, "line 1:") || strings.Contains(errb, "line 8:") || strings.Contains(errb, "line 9:") {
			t.Errorf("stderr reports a good line:\n%s", errb)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 || !strings.Contains(lines[0], `"unsubscribe"`) || !strings.Contains(lines[1], `"out_of_office"`) || !strings.Contains(lines[2], `"other"`) {
			t.Errorf("stdout = %q, want the three good lines classified, in order", out)
		}
	})

	t.Run("Usage", func(t *testing.T) {
		if code, _, errb := runCLI(t, t.TempDir(), clock, "", "classify", "a", "b"); code != cli.ExitUsage {
			t.Errorf("classify a b: exit %d (%s), want %d", code, errb, cli.ExitUsage)
		}
		if code, _, errb := runCLI(t, t.TempDir(), clock, "", "classify", filepath.Join(t.TempDir(), "missing.jsonl")); code != cli.ExitError || !strings.Contains(errb, "cannot read") {
			t.Errorf("classify missing file: exit %d %q, want %d and cannot read", code, errb, cli.ExitError)
		}
		// With no FILE it reads standard input.
		if code, out, _ := runCLI(t, t.TempDir(), clock, `{"subject":"x","body":"unsubscribe"}`, "classify"); code != cli.ExitOK || !strings.HasPrefix(out, "unsubscribe ") {
			t.Errorf("classify from stdin: exit %d %q", code, out)
		}
	})
}
