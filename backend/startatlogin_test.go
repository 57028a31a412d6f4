package backend_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestSettings_NoteStartAtLoginIsAudited(t *testing.T) {
	f := newExecFixture(t)
	if err := f.q.Settings.NoteStartAtLogin(f.ctx, true, "/home/c/.config/autostart/caseyos.desktop", backend.ActorClick); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Settings.NoteStartAtLogin(f.ctx, false, "", backend.ActorCLI); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.q.Audit.Entries(f.ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range list {
		if e.Action == backend.AuditSettings {
			got = append(got, string(e.Actor)+": "+e.Detail)
		}
	}
	want := []string{"click: start at login on (/home/c/.config/autostart/caseyos.desktop)", "cli: start at login off"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("audit = %q, want %q", got, want)
	}
}
