package cli_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
)

// `caseyos do-not-contact` shows and edits the list the do_not_contact
// guardrail reads: add (any case, with a reason and note), list, remove;
// hostile input is refused with a usage error or `invalid`, and each change
// is in the audit log as done from the CLI.
func TestCLI_DoNotContact(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	run := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, dir, clock, "", args...)
	}
	list := func() []app.DoNotContactDTO {
		t.Helper()
		code, out, errb := run("do-not-contact", "list", "--json")
		if code != 0 {
			t.Fatalf("do-not-contact list --json = %d %s", code, errb)
		}
		var l []app.DoNotContactDTO
		if err := json.Unmarshal([]byte(out), &l); err != nil {
			t.Fatalf("do-not-contact list --json: %v\n%s", err, out)
		}
		return l
	}

	t.Run("OK", func(t *testing.T) {
		// The demo's bounce and unsubscribe signals put two on it already.
		before := list()
		if code, out, _ := run("do-not-contact", "list"); code != 0 || len(before) != 2 || !strings.Contains(out, before[0].Email+" — "+before[0].Reason) {
			t.Fatalf("list = %d %q, want the demo's two (%+v)", code, out, before)
		}
		find := func(l []app.DoNotContactDTO, email string) *app.DoNotContactDTO {
			for i := range l {
				if l[i].Email == email {
					return &l[i]
				}
			}
			return nil
		}
		code, out, errb := run("do-not-contact", "add", " Maya@Acme.io ", "--reason", "unsubscribed", "--note", "replied STOP")
		if code != 0 || !strings.Contains(out, "Nothing will be sent to") || !strings.Contains(out, "maya@acme.io — unsubscribed: replied STOP") {
			t.Fatalf("add = %d\n%s%s", code, out, errb)
		}
		if code, _, errb := run("do-not-contact", "add", "ops@acme.io"); code != 0 {
			t.Fatalf("add without a reason = %d %s", code, errb)
		}
		l := list()
		maya, ops := find(l, "maya@acme.io"), find(l, "ops@acme.io")
		if len(l) != 4 || maya == nil || maya.Reason != "unsubscribed" || maya.Note != "replied STOP" || maya.By != "cli" || ops == nil || ops.Reason != "manual" {
			t.Fatalf("list = %+v, want maya (unsubscribed, by cli) and ops (manual) added", l)
		}
		if code, out, _ := run("do-not-contact", "remove", "MAYA@acme.io"); code != 0 || !strings.Contains(out, "off the do-not-contact list") || strings.Contains(out, "maya@") {
			t.Fatalf("remove = %d\n%s", code, out)
		}
		if l := list(); len(l) != 3 || find(l, "maya@acme.io") != nil || find(l, "ops@acme.io") == nil {
			t.Fatalf("list after remove = %+v, want maya@acme.io gone and ops@acme.io kept", l)
		}
		_, out, _ = run("audit", "--json")
		var log app.AuditLogDTO
		if err := json.Unmarshal([]byte(out), &log); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range log.Entries {
			if e.Action == string(backend.AuditDoNotContact) && e.Actor == "cli" {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d do-not-contact audit entries by cli, want 3 (two adds, one remove)", n)
		}
	})

	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"do-not-contact"}, {"do-not-contact", "purge"}, {"do-not-contact", "add"}, {"do-not-contact", "list", "x@y.io"}, {"do-not-contact", "remove"}} {
			if code, _, errb := run(args...); code != cli.ExitUsage || errb == "" {
				t.Errorf("%v = %d %q, want a usage error", args, code, errb)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, args := range [][]string{
			{"do-not-contact", "add", "not-an-address"},
			{"do-not-contact", "add", "a@b.io\nBcc: c@d.io"},
			{"do-not-contact", "add", "a@b.io", "--reason", "spite"},
		} {
			if code, _, errb := run(append(args, "--json")...); code != cli.ExitError || !strings.Contains(errb, "invalid") {
				t.Errorf("%q = %d %q, want exit 1, invalid", args, code, errb)
			}
		}
	})
}
