package app

import (
	"context"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// The execution methods the UI calls (docs/api.md, "Executing moves").
// Each is thin: validate → backend → DTO.

// RefusalDTO says which guardrail refused and why.
type RefusalDTO struct {
	Guardrail string `json:"guardrail"` // kill_switch, daily_cap, do_not_contact, preview …
	Message   string `json:"message"`
}

func toRefusal(err error) *RefusalDTO {
	if err == nil {
		return nil
	}
	g, _ := backend.RefusedBy(err)
	return &RefusalDTO{Guardrail: g, Message: backend.ErrorMessage(err)}
}

// ExecutionPreviewDTO is a dry run: exactly what executing the move would
// send or create, the hash to pass back to ExecuteMove, and what the
// guardrails would do with it now.
type ExecutionPreviewDTO struct {
	MoveID uint64 `json:"move_id"`
	Kind   string `json:"kind"`
	// Summary, DraftEffects and Draft say what the move does in words, from
	// its draft, whether or not an account can carry it out (the window's
	// detail shows them); Summary is DraftEffects' first line.
	Summary      string   `json:"summary"`
	DraftEffects []string `json:"draft_effects"`
	Draft        DraftDTO `json:"draft"`
	// NeedsAccount is why it cannot run yet, naming the account to connect;
	// NotAvailable why it cannot run at all in this build (no connector for
	// its kind). With either, there is no hash and no plan (Blocked).
	NeedsAccount      string      `json:"needs_account,omitempty"`
	NotAvailable      string      `json:"not_available,omitempty"`
	Action            string      `json:"action"`  // send_email, create_draft, create_task, update_deal, schedule_meeting, merge_contacts, reply_social, note
	Account           string      `json:"account"` // gmail, gcal, hubspot, x, local
	Hash              string      `json:"hash"`
	Effects           []string    `json:"effects"`
	Undo              string      `json:"undo"`                // what undo and rollback can do
	UndoWindowSeconds float64     `json:"undo_window_seconds"` // how long it will wait before leaving
	QueuedUntil       *time.Time  `json:"queued_until,omitempty"`
	QueuedReason      string      `json:"queued_reason,omitempty"`
	Refused           *RefusalDTO `json:"refused,omitempty"`
	// Holes is the template text still in what it would send (an empty
	// bullet, a [placeholder], a TODO): ExecuteMove refuses it unless
	// allow_template says to send it as it stands.
	Holes []TemplateHoleDTO `json:"holes,omitempty"`
	Plan  *backend.Plan     `json:"plan"` // the exact payload: email, task, deal, meeting (with slots), merge, social or note
	// Provenance says which model wrote the draft and what was sent to
	// it; absent when no model ever saw the move.
	Provenance *ProvenanceDTO `json:"provenance,omitempty"`
}

// TemplateHoleDTO is one piece of unfilled template text in a draft.
type TemplateHoleDTO struct {
	Field   string `json:"field"` // subject, body, title or text
	Line    int    `json:"line"`  // 1-based, within field
	Kind    string `json:"kind"`  // empty_bullet, placeholder, marker
	Text    string `json:"text"`
	Message string `json:"message"` // "line 3: an empty bullet '- '"
}

func toHoleDTOs(holes []backend.TemplateHole) []TemplateHoleDTO {
	var out []TemplateHoleDTO
	for _, h := range holes {
		out = append(out, TemplateHoleDTO{Field: h.Field, Line: h.Line, Kind: h.Kind, Text: h.Text, Message: h.String()})
	}
	return out
}

// ExecuteRequestDTO says how ExecuteMove runs a move.
type ExecuteRequestDTO struct {
	PreviewHash string `json:"preview_hash"` // the Hash of the preview shown ("" skips the check)
	Via         string `json:"via"`          // key, click, voice, cli
	// AllowTemplate sends a draft that still holds template text, which
	// the person saw in the preview; the audit log records it.
	AllowTemplate bool `json:"allow_template"`
}

// ExecutionStatusDTO is where an execution is.
type ExecutionStatusDTO struct {
	ExecutionID    uint64            `json:"execution_id"`
	MoveID         uint64            `json:"move_id"`
	IdempotencyKey string            `json:"idempotency_key"`
	State          string            `json:"state"` // waiting_undo, queued, committing, committed, failed, undone
	Action         string            `json:"action,omitempty"`
	Actor          string            `json:"actor,omitempty"`
	Summary        string            `json:"summary,omitempty"` // the first effect of its plan
	UndoDeadline   *time.Time        `json:"undo_deadline,omitempty"`
	UndoSeconds    float64           `json:"undo_seconds,omitempty"` // left in the window when this was made
	QueuedReason   string            `json:"queued_reason,omitempty"`
	NotBefore      *time.Time        `json:"not_before,omitempty"`
	Attempts       int               `json:"attempts"`
	Result         string            `json:"result,omitempty"`
	Error          string            `json:"error,omitempty"`
	RemoteIDs      map[string]string `json:"remote_ids,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	CommittedAt    *time.Time        `json:"committed_at,omitempty"`
	RolledBackAt   *time.Time        `json:"rolled_back_at,omitempty"`
}

func optUTC(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (a *App) toStatus(e *backend.Execution) ExecutionStatusDTO {
	out := ExecutionStatusDTO{
		ExecutionID: e.ID, MoveID: e.MoveID, IdempotencyKey: e.IdempotencyKey, State: string(e.State), Action: e.Action,
		Actor: string(e.Actor), QueuedReason: e.Queued, Attempts: e.Attempts, Result: e.Result, Error: e.Error, RemoteIDs: e.RemoteIDs,
		CreatedAt: e.CreatedAt.UTC(), CommittedAt: optUTC(e.CommittedAt), RolledBackAt: optUTC(e.RolledBackAt),
	}
	if e.State == backend.ExecWaitingUndo {
		out.UndoDeadline = optUTC(e.UndoUntil)
		out.UndoSeconds = max(e.UndoUntil.Sub(a.clock.Now()).Seconds(), 0)
	}
	if e.State == backend.ExecQueued {
		out.NotBefore = optUTC(e.NotBefore)
	}
	if p, err := backend.DecodePlan(e.Plan); err == nil && len(p.Effects) > 0 {
		out.Summary = p.Effects[0]
	}
	return out
}

// Blocked is why the preview cannot be executed — no account can carry
// the move out (unavailable, naming the account to connect, or saying no
// connector exists) — or nil. Every surface that executes from a preview
// checks it first.
func (p ExecutionPreviewDTO) Blocked() error {
	switch {
	case p.NotAvailable != "":
		return &backend.Error{Code: backend.EUNAVAILABLE, Err: backend.ErrNoConnector, Message: p.NotAvailable}
	case p.NeedsAccount != "":
		return &backend.Error{Code: backend.EUNAVAILABLE, Message: p.NeedsAccount}
	}
	return nil
}

// KillSwitchDTO is the kill switch's state.
type KillSwitchDTO struct {
	On        bool       `json:"on"`
	At        *time.Time `json:"at,omitempty"`
	By        string     `json:"by,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Cancelled []uint64   `json:"cancelled_move_ids"`
}

// AuditEntryDTO is one entry of the audit log, with its hashes.
type AuditEntryDTO struct {
	AuditDTO
	MoveID   uint64   `json:"move_id,omitempty"`
	Reasons  []string `json:"reasons,omitempty"`
	PrevHash string   `json:"prev_hash"`
	Hash     string   `json:"hash"`
}

// AuditLogDTO is a page of the audit log.
type AuditLogDTO struct {
	Total   int             `json:"total"`
	Entries []AuditEntryDTO `json:"entries"`
}

// AuditCheckDTO is the result of verifying the audit log's hash chain.
type AuditCheckDTO struct {
	// OK: every entry verified. A log with a period whose key was lost
	// is not OK even when nothing was found wrong: Status says which.
	OK bool `json:"ok"`
	// Status is "ok", "tampered" (something is wrong: BadSeq, Message) or
	// "partly_unverifiable" (nothing found wrong, but Unverifiable lists
	// entries signed with a key that was lost and replaced).
	Status       string                `json:"status"`
	Entries      int                   `json:"entries"`
	BadSeq       uint64                `json:"bad_seq,omitempty"`
	Message      string                `json:"message"`
	KeyID        string                `json:"key_id,omitempty"`
	Unverifiable []AuditKeyPeriodDTO   `json:"unverifiable,omitempty"`
	Rekeys       []AuditKeyReplacedDTO `json:"rekeys,omitempty"`
}

// AuditKeyPeriodDTO is a run of audit entries signed with a key that was
// lost: they cannot be verified.
type AuditKeyPeriodDTO struct {
	From       uint64    `json:"from"`
	To         uint64    `json:"to"`
	KeyID      string    `json:"key_id"`
	ReplacedAt time.Time `json:"replaced_at"`
	ReplacedBy uint64    `json:"replaced_by_entry"`
}

// AuditKeyReplacedDTO is an entry that replaced a lost audit key.
type AuditKeyReplacedDTO struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	OldKeyID string    `json:"old_key_id"`
	NewKeyID string    `json:"new_key_id"`
	Before   uint64    `json:"entries_before"`
}

// auditRekeyer is the store's RekeyAudit (store.DB).
type auditRekeyer interface {
	RekeyAudit(ctx context.Context, actor backend.Actor) (backend.AuditRekey, error)
}

// lostAuditKey says why the audit key cannot be had and how many entries
// it signed; nil error when it is at hand (there is nothing to replace).
// Unexported: replacing the key is for the CLI only.
func (a *App) lostAuditKey() (head backend.AuditHead, lost error, err error) {
	err = a.store.View(a.ctx, func(tx backend.Tx) error {
		var err error
		if head, err = tx.AuditHead(); err != nil {
			return err
		}
		_, lost = tx.AuditKey()
		return nil
	})
	return head, lost, err
}

// rekeyAudit replaces the lost audit key (store.DB.RekeyAudit).
func (a *App) rekeyAudit() (backend.AuditRekey, error) {
	r, ok := a.store.(auditRekeyer)
	if !ok {
		return backend.AuditRekey{}, backend.Errorf(backend.EINTERNAL, "this store cannot replace the audit key")
	}
	return r.RekeyAudit(a.ctx, backend.ActorCLI)
}

// DoNotContactDTO is one address nothing may be sent to.
type DoNotContactDTO struct {
	Email  string    `json:"email"`
	Reason string    `json:"reason"` // bounced, unsubscribed, manual
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
}

// RuleDTO is an auto-approval rule; it is also the format of a RULE_FILE.
type RuleDTO struct {
	ID           uint64   `json:"id,omitempty"`
	Name         string   `json:"name"`
	Enabled      bool     `json:"enabled"`
	Kinds        []string `json:"kinds,omitempty"`
	Domains      []string `json:"domains,omitempty"`
	EmailDomains []string `json:"email_domains,omitempty"`
	MinScore     float64  `json:"min_score,omitempty"`
	Segments     []string `json:"segments,omitempty"`
}

func (r RuleDTO) rule() *backend.Rule {
	out := &backend.Rule{ID: r.ID, Name: r.Name, Enabled: r.Enabled, EmailDomains: r.EmailDomains, MinScore: r.MinScore, Segments: r.Segments}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, backend.MoveKind(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, backend.Domain(d))
	}
	return out
}

func toRuleDTO(r *backend.Rule) RuleDTO {
	out := RuleDTO{ID: r.ID, Name: r.Name, Enabled: r.Enabled, EmailDomains: r.EmailDomains, MinScore: r.MinScore, Segments: r.Segments}
	for _, k := range r.Kinds {
		out.Kinds = append(out.Kinds, string(k))
	}
	for _, d := range r.Domains {
		out.Domains = append(out.Domains, string(d))
	}
	return out
}

// SimulatedMoveDTO is a move a rule would have executed.
type SimulatedMoveDTO struct {
	MoveID    uint64    `json:"move_id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	APS       float64   `json:"aps"` // when the move was created
	CreatedAt time.Time `json:"created_at"`
	Why       string    `json:"why"`
	Blocked   string    `json:"blocked,omitempty"` // the guardrail that would still have stopped it
}

// SimulationDTO says what a rule would have executed.
type SimulationDTO struct {
	Rule    RuleDTO            `json:"rule"`
	From    time.Time          `json:"from"`
	To      time.Time          `json:"to"`
	Checked int                `json:"checked"`
	Matched []SimulatedMoveDTO `json:"matched"`
}

// startExecutions runs the execution scheduler (reconcile at startup, the
// undo window, the outbox, auto-approval rules) under the App's context.
// When a sync pass succeeds, its account is back: the outbox is tried at
// once instead of at its next backoff.
func (a *App) startExecutions() {
	back := make(chan struct{}, 1)
	unsubscribe := a.events.Subscribe(func(name string, payload any) {
		if st, ok := payload.(SyncStatusDTO); ok && name == backend.EventSyncStatus && st.State == string(backend.SyncConnected) {
			select {
			case back <- struct{}{}:
			default:
			}
		}
	})
	a.wg.Add(2)
	go func() {
		defer a.wg.Done()
		_ = a.queue.Executions.Run(a.ctx)
	}()
	go func() {
		defer a.wg.Done()
		defer unsubscribe()
		for {
			select {
			case <-a.ctx.Done():
				return
			case <-back:
				if out, err := a.queue.Executions.Outbox(a.ctx); err == nil && len(out) > 0 {
					_, _ = a.queue.Executions.RetryOutbox(a.ctx)
				}
			}
		}
	}()
}

// waitExecution carries move id's execution through its undo window in
// this process (a CLI that holds the data file). Ctrl-C cancels it with
// nothing sent. Executions started meanwhile by other commands through
// this process's API wait out their windows here too, since nothing else
// would carry them out; ones held in the outbox stay there.
func (a *App) waitExecution(ctx context.Context, id uint64) (ExecutionStatusDTO, error) {
	var out *ExecutionStatusDTO
	for {
		e, err := a.queue.Executions.Latest(context.WithoutCancel(ctx), id)
		if err != nil {
			return ExecutionStatusDTO{}, err
		}
		if out == nil && e.State != backend.ExecWaitingUndo {
			st := a.toStatus(e)
			out = &st
		}
		waiting, err := a.waitingExecutions(context.WithoutCancel(ctx))
		if err != nil {
			return ExecutionStatusDTO{}, err
		}
		if out != nil && (len(waiting) == 0 || ctx.Err() != nil) {
			return *out, nil // after Ctrl-C the others wait for the next run
		}
		var next time.Time // the first undo window to end
		for _, w := range waiting {
			if next.IsZero() || w.UndoUntil.Before(next) {
				next = w.UndoUntil
			}
		}
		wait := min(max(next.Sub(a.clock.Now()), 0), 200*time.Millisecond)
		select {
		case <-ctx.Done():
			if out != nil {
				return *out, nil
			}
			_, ex, err := a.queue.Executions.Cancel(context.WithoutCancel(ctx), id, backend.ActorCLI)
			if err != nil {
				return ExecutionStatusDTO{}, err
			}
			return a.toStatus(ex), nil
		case <-time.After(wait):
		}
		if _, err := a.queue.Executions.Tick(context.WithoutCancel(ctx)); err != nil {
			return ExecutionStatusDTO{}, err
		}
	}
}

// waitingExecutions returns the executions in their undo window.
func (a *App) waitingExecutions(ctx context.Context) ([]*backend.Execution, error) {
	var out []*backend.Execution
	err := a.store.View(ctx, func(tx backend.Tx) error {
		var err error
		out, err = tx.ExecutionsInState(backend.ExecWaitingUndo)
		return err
	})
	return out, err
}
