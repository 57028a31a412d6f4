package backend_test

import (
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// An audit line reads as a sentence whether or not the optional reason,
// note or rule was given: no dangling ": " before the next clause.
func TestQueue_AuditDetailWithoutReason(t *testing.T) {
	f := newExecFixture(t)
	m := f.reply(t, "a1", "maya@acme.io")
	if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorCLI, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.q.Executions.Execute(f.ctx, m.ID, backend.ExecuteOptions{Actor: backend.ActorKey}); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Fatalf("Execute with the kill switch on = %v, want a refusal", err)
	}
	if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, false, backend.ActorCLI, "back to normal"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Guardrails.AddDoNotContact(f.ctx, "maya@acme.io", backend.DNCManual, "", backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.q.Audit.Entries(f.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"kill switch on; 0 waiting executions taken back",
		"kill switch off: back to normal; 0 waiting executions taken back",
		"maya@acme.io added (manual)",
	}
	var got []string
	for _, e := range list {
		if e.Action == backend.AuditKillSwitch || e.Action == backend.AuditDoNotContact {
			got = append(got, e.Detail)
		}
		if strings.Contains(e.Detail, ": ;") || strings.HasSuffix(e.Detail, ": ") || strings.HasPrefix(e.Detail, ":") {
			t.Errorf("audit detail %q has an empty clause", e.Detail)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit details =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
