package backend

import (
	"context"
	"encoding/json"
	"time"
)

// SyncState is where an account's sync stands.
type SyncState string

// Sync states. The UI shows connected, offline and reconnect as the
// account's badge; running while a pass is under way.
const (
	SyncConnected SyncState = "connected" // polling on schedule
	SyncRunning   SyncState = "running"   // a pass is under way
	SyncOffline   SyncState = "offline"   // the vendor cannot be reached; it retries by itself
	SyncFailing   SyncState = "error"     // the last pass failed otherwise; it retries with backoff
	SyncReconnect SyncState = "reconnect" // the credentials were refused; polling stopped until reconnected
)

// SyncStatus is one account's sync as the UI and `caseyos status` show it.
// LastError is user-safe (an Error's Message, never a cause).
type SyncStatus struct {
	Account     string
	State       SyncState
	LastSuccess time.Time // end of the last pass that succeeded
	LastError   string    // why the last pass failed; "" after a success
	ErrorCode   string    // LastError's code
	LastErrorAt time.Time
	NextRun     time.Time // zero when no pass is scheduled (reconnect)
	Items       int       // signals fetched since the account was connected
	LastItems   int       // signals fetched by the last pass
	Progress    int       // signals the pass under way has fetched so far (a long first sync's progress); 0 between passes
	Failures    int       // passes failed in a row
	Skipped     int       // signals the last pass fetched and could not store (invalid); the pass goes on without them
	SkipReason  string    // why the first of them could not be stored (user-safe)
	// Note is what the account's poller says about the last pass when it
	// worked but not wholly (NotePoller): "X's recent search is not in
	// your access tier; mentions still sync". User-safe; "" when none.
	Note string
}

// NotePoller is implemented by pollers that can say something about their
// last pass that is not a failure: a part of the source they could not
// read (an access tier without search) while the rest synced.
type NotePoller interface {
	Poller
	Note() string
}

// SyncWait is the payload of EventSyncWaiting: a pass stopped to wait out
// a vendor's rate limit, and goes on by itself at Until.
type SyncWait struct {
	Account string
	Limit   string        // what is spent: "10-second window", "per-user rate limit"
	Wait    time.Duration // how long the pass waits
	Until   time.Time
	Attempt int // rate limits met in a row in this pass, this one included
}

// SyncSkipped is the payload of EventSyncSkipped: a pass fetched signals
// it could not store (a time out of range, invalid text) and went on
// without them.
type SyncSkipped struct {
	Account string
	Count   int    // signals skipped by the pass
	Reason  string // why the first of them was (user-safe)
}

// syncStatusKey is where an account's status is kept: beside its cursor,
// so that `caseyos status` in another process sees what `caseyos sync` or
// the running app last did. Accounts never start with "~".
func syncStatusKey(account string) string { return "~sync-status/" + account }

// syncStatusRecord is the stored form of a SyncStatus.
type syncStatusRecord struct {
	State       string    `json:"state"`
	LastSuccess time.Time `json:"last_success"`
	LastError   string    `json:"last_error,omitempty"`
	ErrorCode   string    `json:"error_code,omitempty"`
	LastErrorAt time.Time `json:"last_error_at"`
	NextRun     time.Time `json:"next_run"`
	Items       int       `json:"items"`
	LastItems   int       `json:"last_items"`
	Failures    int       `json:"failures"`
	Skipped     int       `json:"skipped,omitempty"`
	SkipReason  string    `json:"skip_reason,omitempty"`
	Note        string    `json:"note,omitempty"`
}

func putSyncStatus(tx Tx, st SyncStatus) error {
	b, err := json.Marshal(syncStatusRecord{
		State: string(st.State), LastSuccess: st.LastSuccess, LastError: st.LastError, ErrorCode: st.ErrorCode,
		LastErrorAt: st.LastErrorAt, NextRun: st.NextRun, Items: st.Items, LastItems: st.LastItems, Failures: st.Failures,
		Skipped: st.Skipped, SkipReason: st.SkipReason, Note: st.Note,
	})
	if err != nil {
		return err
	}
	return tx.PutCursor(syncStatusKey(st.Account), string(b))
}

func getSyncStatus(tx Tx, account string) (SyncStatus, error) {
	st := SyncStatus{Account: account, State: SyncConnected}
	raw, err := tx.Cursor(syncStatusKey(account))
	if err != nil || raw == "" {
		return st, err
	}
	var r syncStatusRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return st, &Error{Code: EINTERNAL, Message: "the stored sync status of " + account + " is unreadable", Err: err}
	}
	st.State = SyncState(r.State)
	if st.State == SyncRunning || st.State == "" {
		st.State = SyncConnected // a pass cut short by a stop
	}
	st.LastSuccess, st.LastError, st.ErrorCode, st.LastErrorAt = r.LastSuccess, r.LastError, r.ErrorCode, r.LastErrorAt
	st.NextRun, st.Items, st.LastItems, st.Failures = r.NextRun, r.Items, r.LastItems, r.Failures
	st.Skipped, st.SkipReason, st.Note = r.Skipped, r.SkipReason, r.Note
	return st, nil
}

// ReadSyncStatus returns the stored status of account — what the last
// pass, in this process or another, left — and whether the account is
// connected (MarkConnected stored a status for it).
func ReadSyncStatus(ctx context.Context, store Store, account string) (SyncStatus, bool, error) {
	var st SyncStatus
	var found bool
	err := store.View(ctx, func(tx Tx) error {
		raw, err := tx.Cursor(syncStatusKey(account))
		if err != nil {
			return err
		}
		found = raw != ""
		st, err = getSyncStatus(tx, account)
		return err
	})
	return st, found, WrapError("sync status", err)
}

// MarkConnected records that account is connected: its status is stored
// (so ReadSyncStatus finds it) and a reconnect or error state is cleared.
// The cursor stays: reconnecting does not start a full sync again.
func MarkConnected(ctx context.Context, store Store, account string) error {
	return WrapError("mark connected", store.Update(ctx, func(tx Tx) error {
		st, err := getSyncStatus(tx, account)
		if err != nil {
			return err
		}
		st.State, st.LastError, st.ErrorCode, st.Failures, st.NextRun = SyncConnected, "", "", 0, time.Time{}
		return putSyncStatus(tx, st)
	}))
}

// ForgetSync deletes account's cursor and status, so that connecting it
// again starts with a full sync.
func ForgetSync(ctx context.Context, store Store, account string) error {
	return WrapError("forget sync", store.Update(ctx, func(tx Tx) error {
		if err := tx.PutCursor(account, ""); err != nil {
			return err
		}
		return tx.PutCursor(syncStatusKey(account), "")
	}))
}
