package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/store"
)

// TestPreviewExecution_NeedsAccount: the one preview call still tells the
// window what a move does when no account can carry it out — its summary,
// its effects in words and its draft, with the account to connect — as an
// answer, not an error, while it carries no hash or plan and says it cannot
// be executed, so nothing executes from it.
func TestPreviewExecution_NeedsAccount(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "caseyos.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	a := New(Options{Store: st, Clock: backend.NewManualClock(now)}) // no account connected
	m := &backend.Move{Kind: backend.KindSendEmail, Title: "Reply to Dana", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, Status: backend.StatusPending, Domain: backend.DomainSales,
		CreatedAt: now, UpdatedAt: now, Draft: backend.Draft{To: []string{"dana@northwind.io"}, Subject: "Re: pricing", Body: "Hi Dana"}}
	if err := st.Update(context.Background(), func(tx backend.Tx) error { return tx.CreateMove(m) }); err != nil {
		t.Fatal(err)
	}

	p, err := a.bound.Execution.PreviewExecution(m.ID)
	if err != nil {
		t.Fatalf("PreviewExecution(a move no account can send) = %v, want its preview with needs_account", err)
	}
	if !strings.Contains(p.Summary, "dana@northwind.io") || !strings.Contains(p.Summary, "Re: pricing") {
		t.Errorf("summary = %q, want the email's recipient and subject", p.Summary)
	}
	if len(p.DraftEffects) == 0 || p.DraftEffects[0] != p.Summary {
		t.Errorf("draft_effects = %q, want the summary first", p.DraftEffects)
	}
	if p.Draft.Subject != "Re: pricing" || p.Draft.Body != "Hi Dana" {
		t.Errorf("draft = %+v, want the move's", p.Draft)
	}
	if !strings.Contains(p.NeedsAccount, "caseyos connect google") || p.NotAvailable != "" {
		t.Errorf("needs_account %q, not_available %q; want the Gmail account named", p.NeedsAccount, p.NotAvailable)
	}
	if p.Hash != "" || p.Plan != nil {
		t.Errorf("hash %q, plan %v; want none for a preview that cannot run", p.Hash, p.Plan)
	}
	if err := p.Blocked(); backend.ErrorCode(err) != backend.EUNAVAILABLE || backend.ErrorMessage(err) != p.NeedsAccount {
		t.Errorf("Blocked() = %v, want unavailable saying %q", err, p.NeedsAccount)
	}
	if _, err := a.bound.Execution.ExecuteMove(m.ID, ExecuteRequestDTO{PreviewHash: p.Hash, Via: "key"}); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("ExecuteMove after it = %v, want unavailable", err)
	}
	if _, err := a.bound.Execution.PreviewExecution(m.ID + 99); backend.ErrorCode(err) != backend.ENOTFOUND {
		t.Errorf("PreviewExecution(no such move) = %v, want not_found", err)
	}
}
