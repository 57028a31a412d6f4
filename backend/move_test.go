package backend_test

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestCanTransition(t *testing.T) {
	allowed := map[[2]backend.MoveStatus]bool{
		{backend.StatusPending, backend.StatusExecuting}: true,
		{backend.StatusPending, backend.StatusSkipped}:   true,
		{backend.StatusPending, backend.StatusSnoozed}:   true,
		{backend.StatusPending, backend.StatusExpired}:   true,
		{backend.StatusSnoozed, backend.StatusPending}:   true,
		{backend.StatusSnoozed, backend.StatusExecuting}: true,
		{backend.StatusSnoozed, backend.StatusSkipped}:   true,
		{backend.StatusSnoozed, backend.StatusExpired}:   true,
		{backend.StatusExecuting, backend.StatusDone}:    true,
		{backend.StatusExecuting, backend.StatusFailed}:  true,
		{backend.StatusFailed, backend.StatusPending}:    true,
		{backend.StatusFailed, backend.StatusExecuting}:  true,
		{backend.StatusFailed, backend.StatusSkipped}:    true,
		{backend.StatusFailed, backend.StatusExpired}:    true,
		{backend.StatusDone, backend.StatusUndone}:       true,
		{backend.StatusExecuting, backend.StatusPending}: true, // cancelled in the undo window
		{backend.StatusSkipped, backend.StatusPending}:   true,
		{backend.StatusUndone, backend.StatusPending}:    true, // restored after a rollback
	}
	// Every pair is checked, so adding a status without deciding its
	// transitions fails here.
	for _, from := range backend.MoveStatuses {
		for _, to := range backend.MoveStatuses {
			want := allowed[[2]backend.MoveStatus{from, to}]
			if got := backend.CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
}

func TestMove_Validate(t *testing.T) {
	valid := func() *backend.Move {
		return &backend.Move{Kind: backend.KindSendEmail, Domain: backend.DomainSales, Title: "Reply", Status: backend.StatusPending,
			Subject: backend.Subject{Type: backend.SubjectThread, ID: "t1"}, Draft: backend.Draft{To: []string{"a@b.co"}}}
	}
	tests := []struct {
		name   string
		mutate func(*backend.Move)
		code   string
	}{
		{"OK", func(*backend.Move) {}, ""},
		{"unknown kind", func(m *backend.Move) { m.Kind = "fax" }, backend.EINVALID},
		{"unknown domain", func(m *backend.Move) { m.Domain = "legal" }, backend.EINVALID},
		{"empty title", func(m *backend.Move) { m.Title = " " }, backend.EINVALID},
		{"no subject", func(m *backend.Move) { m.Subject = backend.Subject{} }, backend.EINVALID},
		{"APS above 100", func(m *backend.Move) { m.Score.APS = 101 }, backend.EINVALID},
		{"snoozed without a time", func(m *backend.Move) { m.Status = backend.StatusSnoozed }, backend.EINVALID},
		{"email without recipient", func(m *backend.Move) { m.Draft.To = nil }, backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.mutate(m)
			if got := backend.ErrorCode(m.Validate()); got != tt.code {
				t.Errorf("Validate() code = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestRecordValidation(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code string
	}{
		{"contact OK", (&backend.Contact{ID: "a@b.co", Email: "a@b.co", Timezone: "Europe/Berlin"}).Validate(), ""},
		{"contact without id", (&backend.Contact{}).Validate(), backend.EINVALID},
		{"contact bad email", (&backend.Contact{ID: "x", Email: "not-an-address"}).Validate(), backend.EINVALID},
		{"contact bad time zone", (&backend.Contact{ID: "x", Timezone: "Mars/Olympus"}).Validate(), backend.EINVALID},
		{"company OK", (&backend.Company{ID: "acme", Employees: 10}).Validate(), ""},
		{"company negative employees", (&backend.Company{ID: "acme", Employees: -1}).Validate(), backend.EINVALID},
		{"deal negative amount", (&backend.Deal{ID: "d", Amount: -5}).Validate(), backend.EINVALID},
		{"deal without id", (&backend.Deal{}).Validate(), backend.EINVALID},
		{"execution without key", (&backend.Execution{MoveID: 1, State: backend.ExecPlanned, Kind: backend.KindNote}).Validate(), backend.EINVALID},
		{"execution bad state", (&backend.Execution{MoveID: 1, IdempotencyKey: "k", State: "flying", Kind: backend.KindNote}).Validate(), backend.EINVALID},
		{"execution OK", (&backend.Execution{MoveID: 1, IdempotencyKey: "k", State: backend.ExecPlanned, Kind: backend.KindNote}).Validate(), ""},
		{"outcome unknown type", (&backend.Outcome{MoveID: 1, Type: "meh", OccurredAt: testNow}).Validate(), backend.EINVALID},
		{"outcome OK", (&backend.Outcome{MoveID: 1, Type: backend.OutcomeMeetingBooked, OccurredAt: testNow}).Validate(), ""},
		{"audit without action", (&backend.AuditEntry{At: testNow, Actor: backend.ActorKey}).Validate(), backend.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.ErrorCode(tt.err); got != tt.code {
				t.Errorf("code = %q, want %q (%v)", got, tt.code, tt.err)
			}
		})
	}
	if n := len(backend.OutcomeTypes); n != 18 {
		t.Errorf("there are %d outcome types, DESIGN.md names 18", n)
	}
}

func TestValidEmail(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"maya@acme.io", true}, {"Maya.Chen+crm@mail.acme.io", true}, {"o'brien@acme.io", true},
		{"user@localhost", true}, // net/mail accepts it; so do we
		{"", false}, {"maya", false}, {"@acme.io", false}, {"maya@", false}, {"maya@@acme.io", false},
		{"Maya <maya@acme.io>", false}, {"maya@acme..io", false}, {".maya@acme.io", false}, {"maya.@acme.io", false},
		{"ma ya@acme.io", false}, {"maya@acme.io.", false},
	} {
		if got := backend.ValidEmail(tt.in); got != tt.ok {
			t.Errorf("ValidEmail(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}
