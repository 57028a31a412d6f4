package backend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// refusals counts the move's audit entries saying a rule's execution was
// refused.
func (f *execFixture) refusals(tb testing.TB, moveID uint64) int {
	tb.Helper()
	n := 0
	for _, e := range f.audit(tb, moveID) {
		if e.Action == backend.AuditExecRefused && e.Actor == backend.ActorRule {
			n++
		}
	}
	return n
}

// passes runs n scheduler passes of the auto-approval rules, a minute
// apart, and returns the moves they executed.
func (f *execFixture) passes(tb testing.TB, n int) []uint64 {
	tb.Helper()
	var done []uint64
	for i := 0; i < n; i++ {
		f.clock.Advance(time.Minute)
		d, err := f.q.Guardrails.ApplyRules(f.ctx)
		if err != nil {
			tb.Fatalf("ApplyRules pass %d: %v", i, err)
		}
		done = append(done, d...)
	}
	return done
}

func (f *execFixture) enableRule(tb testing.TB, r *backend.Rule) {
	tb.Helper()
	r.Enabled = true
	if err := f.q.Guardrails.SaveRule(f.ctx, r, backend.ActorClick); err != nil {
		tb.Fatal(err)
	}
}

// TestGuardrails_ApplyRulesRecordsRefusalOnce: a rule's execution that a
// guardrail refuses is retried on every scheduler pass but recorded once
// per (move, rule, reason) until something changes — the guardrail, the
// move's draft, the rule — and goes out as soon as the refusal is gone.
func TestGuardrails_ApplyRulesRecordsRefusalOnce(t *testing.T) {
	t.Run("KillSwitch", func(t *testing.T) {
		f := newExecFixture(t)
		m := f.reply(t, "g1", "maya@acme.io")
		f.enableRule(t, &backend.Rule{Name: "acme replies", Kinds: []backend.MoveKind{backend.KindSendEmail}, EmailDomains: []string{"acme.io"}})
		if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorClick, "travelling"); err != nil {
			t.Fatal(err)
		}
		if done := f.passes(t, 100); len(done) != 0 {
			t.Fatalf("with the kill switch on the rule executed %v", done)
		}
		if n := f.refusals(t, m.ID); n != 1 {
			t.Fatalf("100 passes with the kill switch on wrote %d refusals, want 1", n)
		}
		// The draft changes: that is news, recorded once more.
		d := m.Draft
		d.Body = "Hi Maya, thanks — here is the deck."
		if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		f.passes(t, 20)
		if n := f.refusals(t, m.ID); n != 2 {
			t.Fatalf("after a draft edit: %d refusals, want 2", n)
		}
		// Off, on again: a new kill switch, recorded once more.
		f.q.Guardrails.SetKillSwitch(f.ctx, false, backend.ActorClick, "")
		f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorClick, "again")
		f.passes(t, 20)
		if n := f.refusals(t, m.ID); n != 3 {
			t.Fatalf("after the kill switch went on again: %d refusals, want 3", n)
		}
		// Off: the next pass executes it, and it goes out after the undo window.
		if _, err := f.q.Guardrails.SetKillSwitch(f.ctx, false, backend.ActorClick, ""); err != nil {
			t.Fatal(err)
		}
		if done := f.passes(t, 1); len(done) != 1 || done[0] != m.ID {
			t.Fatalf("with the kill switch off ApplyRules = %v, want [%d]", done, m.ID)
		}
		f.clock.Advance(time.Hour)
		f.tick(t)
		if f.mail.count() != 1 {
			t.Errorf("sent %d emails, want 1", f.mail.count())
		}
		if n := f.refusals(t, m.ID); n != 3 {
			t.Errorf("refusals after it went out = %d, want still 3", n)
		}
	})
	t.Run("RuleChanged", func(t *testing.T) {
		f := newExecFixture(t)
		m := f.reply(t, "g1", "maya@acme.io")
		r := &backend.Rule{Name: "acme replies", Kinds: []backend.MoveKind{backend.KindSendEmail}}
		f.enableRule(t, r)
		f.q.Guardrails.SetKillSwitch(f.ctx, true, backend.ActorClick, "")
		f.passes(t, 10)
		r.EmailDomains = []string{"acme.io"}
		f.enableRule(t, r)
		f.passes(t, 10)
		if n := f.refusals(t, m.ID); n != 2 {
			t.Errorf("refusals = %d, want 2 (one per version of the rule)", n)
		}
	})
	t.Run("DoNotContact", func(t *testing.T) {
		f := newExecFixture(t)
		m := f.reply(t, "g1", "maya@acme.io")
		f.enableRule(t, &backend.Rule{Name: "acme replies", EmailDomains: []string{"acme.io"}})
		f.q.Guardrails.AddDoNotContact(f.ctx, "maya@acme.io", backend.DNCManual, "", backend.ActorClick)
		f.passes(t, 50)
		if n := f.refusals(t, m.ID); n != 1 {
			t.Fatalf("50 passes against do-not-contact wrote %d refusals, want 1", n)
		}
		f.q.Guardrails.RemoveDoNotContact(f.ctx, "maya@acme.io", backend.ActorClick)
		if done := f.passes(t, 1); len(done) != 1 {
			t.Errorf("after removing maya from do-not-contact ApplyRules = %v, want her move", done)
		}
	})
	t.Run("TemplateHoles", func(t *testing.T) {
		f := newExecFixture(t)
		m := f.reply(t, "g1", "maya@acme.io")
		d := m.Draft
		d.Body = "Hi Maya,\n\nRecap and next steps:\n- \n\nCasey"
		if _, err := f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorClick); err != nil {
			t.Fatal(err)
		}
		f.enableRule(t, &backend.Rule{Name: "acme replies", EmailDomains: []string{"acme.io"}})
		if done := f.passes(t, 100); len(done) != 0 {
			t.Fatalf("a draft with template holes was executed by the rule: %v", done)
		}
		var refused []string
		for _, e := range f.audit(t, m.ID) {
			if e.Action == backend.AuditExecRefused && e.Actor == backend.ActorRule {
				refused = append(refused, e.Detail)
			}
		}
		if len(refused) != 1 || !strings.Contains(refused[0], "line") {
			t.Fatalf("100 passes over a draft with holes recorded %q, want one refusal naming the line", refused)
		}
		d.Body = "Hi Maya,\n\nRecap and next steps:\n- pilot starts Monday\n\nCasey"
		f.q.Moves.EditDraft(f.ctx, m.ID, d, backend.ActorClick)
		if done := f.passes(t, 1); len(done) != 1 {
			t.Errorf("after the draft was filled in ApplyRules = %v, want the move", done)
		}
	})
}
