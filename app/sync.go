package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Connector is one kind of outside account CaseyOS can connect. main.go
// builds them from the connector packages, so that app never imports one.
type Connector struct {
	Account string // "hubspot": the keychain entry, the sync account, the CLI's name
	Label   string // "HubSpot"
	Detail  string // what it brings, for the Connections view
	Hint    string // how to connect it
	// Group names accounts that share one sign-in ("google": Gmail and
	// Calendar): `caseyos connect GROUP` signs in once and connects them
	// all, each keeping its own keychain entry; "" = none.
	Group string
	// Limit is the vendor's published request rate for one account; the
	// account's token bucket starts from it.
	Limit backend.Limit
	// RollingWindow says the vendor counts Limit in a rolling window
	// (HubSpot): the account's limiter may then spend all of it, in bursts
	// after pauses, instead of pacing at nine-tenths (NewLimiter).
	RollingWindow bool
	// Poller builds the account's poller from its stored secret. limiter
	// paces its requests; dir ties addresses to the local CRM copy.
	Poller func(secret string, limiter backend.RateLimiter, dir backend.Directory) (backend.Poller, error)
	// Check validates a secret with one cheap call to the vendor.
	Check func(ctx context.Context, secret string) error
	// Authorize runs the vendor's sign-in (OAuth) and returns the secret to
	// store; nil when the connector has none.
	Authorize func(ctx context.Context, out io.Writer) (string, error)
	// Webhook returns the handler for the vendor's signed webhooks, nil
	// when it has none. secret gives the current secret for each request
	// (an error when there is none).
	Webhook func(secret func() (string, error), now func() time.Time, sink func(context.Context, []*backend.Signal) error) http.Handler
}

// The Connections view lists these even before main.go provides their
// connectors, so that the founder sees what can be connected.
var plannedAccounts = []ConnectionDTO{
	{Account: "google", Label: "Gmail and Google Calendar", State: "not_connected", Detail: "Replies, meetings; sends email and books meetings", ConnectHint: "caseyos connect google --credentials FILE"},
	{Account: "hubspot", Label: "HubSpot", State: "not_connected", Detail: "Deals, contacts, forms; creates tasks and updates deals", ConnectHint: "caseyos connect hubspot --token-stdin"},
	{Account: "x", Label: "X", State: "not_connected", Detail: "Mentions and the watch list; replies to and likes posts", ConnectHint: "caseyos connect x --consumer-key KEY"},
}

// syncEvents hands the syncer's statuses, waits and skipped signals to
// the Broker as the documented DTOs; labels name the accounts ("HubSpot").
type syncEvents struct {
	b      *Broker
	labels map[string]string
}

func (e syncEvents) Publish(name string, payload any) {
	switch p := payload.(type) {
	case backend.SyncStatus:
		payload = toSyncStatusDTO(p)
	case backend.SyncWait:
		payload = toSyncWaitDTO(p)
	case backend.SyncSkipped:
		label := e.labels[p.Account]
		if label == "" {
			label = p.Account
		}
		payload = SyncSkippedDTO{Account: p.Account, Count: p.Count, Reason: p.Reason,
			Message: fmt.Sprintf("%s from %s could not be stored: %s", itemCount(p.Count), label, p.Reason)}
	}
	e.b.Publish(name, payload)
}

// connectorLabels maps each connector's account to its label.
func connectorLabels(cs []Connector) map[string]string {
	m := map[string]string{}
	for _, c := range cs {
		m[c.Account] = c.Label
	}
	return m
}

// itemCount says "1 item", "3 items".
func itemCount(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// lazyPoller reads its account's secret and builds the real poller on
// first use, and again after the credentials were refused: a token
// replaced by `caseyos connect` is picked up by the next pass. A missing
// secret reads as unauthorized (reconnect); a keychain that cannot be
// reached as unavailable (retried).
type lazyPoller struct {
	c       Connector
	secrets backend.Secrets
	limiter backend.RateLimiter
	dir     backend.Directory

	mu    sync.Mutex
	inner backend.Poller
}

var _ backend.MorePoller = (*lazyPoller)(nil)

func (p *lazyPoller) Account() string { return p.c.Account }

func (p *lazyPoller) get() (backend.Poller, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.inner != nil {
		return p.inner, nil
	}
	if p.secrets == nil {
		return nil, backend.Errorf(backend.EUNAVAILABLE, "this build has no keychain to read the %s credentials from", p.c.Label)
	}
	secret, err := p.secrets.Get(p.c.Account)
	switch {
	case backend.ErrorCode(err) == backend.ENOTFOUND:
		return nil, &backend.Error{Code: backend.EUNAUTHORIZED, Message: "the " + p.c.Label + " credentials are gone from the keychain: run `caseyos connect " + p.c.Account + "`", Err: err}
	case err != nil:
		return nil, err
	}
	inner, err := p.c.Poller(secret, p.limiter, p.dir)
	if err != nil {
		return nil, err
	}
	p.inner = inner
	return inner, nil
}

func (p *lazyPoller) Poll(ctx context.Context, cursor string) ([]*backend.Signal, string, error) {
	inner, err := p.get()
	if err != nil {
		return nil, cursor, err
	}
	sigs, next, err := inner.Poll(ctx, cursor)
	if backend.ErrorCode(err) == backend.EUNAUTHORIZED {
		p.mu.Lock()
		p.inner = nil // read the keychain again next time
		p.mu.Unlock()
	}
	return sigs, next, err
}

// Note passes on what the account's poller says about its last pass.
func (p *lazyPoller) Note() string {
	p.mu.Lock()
	inner := p.inner
	p.mu.Unlock()
	if np, ok := inner.(backend.NotePoller); ok {
		return np.Note()
	}
	return ""
}

func (p *lazyPoller) More() bool {
	p.mu.Lock()
	inner := p.inner
	p.mu.Unlock()
	if mp, ok := inner.(backend.MorePoller); ok {
		return mp.More()
	}
	return false
}

// connector returns the connector for account.
func (a *App) connector(account string) (Connector, bool) {
	for _, c := range a.connectors {
		if c.Account == account {
			return c, true
		}
	}
	return Connector{}, false
}

// addAccount starts syncing a connected account (at once when the
// syncer runs).
func (a *App) addAccount(c Connector) error {
	a.syncMu.Lock()
	l, ok := a.limiters[c.Account]
	if !ok {
		l = NewLimiter(c, a.clock)
		a.limiters[c.Account] = l
	}
	a.syncMu.Unlock()
	lp := &lazyPoller{c: c, secrets: a.secrets, limiter: l, dir: a.dir}
	err := a.syncer.Add(lp)
	if backend.ErrorCode(err) == backend.ECONFLICT {
		return nil // already syncing
	}
	if err == nil {
		a.useAccount(lp) // its client also carries out moves (executors.go)
	}
	return err
}

// loadAccounts adds every connected account of the workspace to the
// syncer, and makes its client carry out the moves it can (useAccount),
// without starting anything: the window's startup and every command the
// CLI runs in its own process use the accounts this way. It returns how
// many are connected.
func (a *App) loadAccounts(ctx context.Context) (int, error) {
	n := 0
	for _, c := range a.connectors {
		_, found, err := backend.ReadSyncStatus(ctx, a.store, c.Account)
		if err != nil {
			return n, err
		}
		if !found {
			continue
		}
		n++
		if err := a.addAccount(c); err != nil {
			return n, err
		}
	}
	return n, nil
}

// startSync loads the connected accounts and runs the syncer under the
// App's context; shutdown waits for it.
func (a *App) startSync() {
	if _, err := a.loadAccounts(a.ctx); err != nil {
		a.events.Publish(backend.EventSyncStatus, SyncStatusDTO{Account: "", State: string(backend.SyncFailing), LastError: backend.ErrorMessage(err)})
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		_ = a.syncer.Run(a.ctx)
	}()
}

// connectionState maps a sync state to the account's badge.
func connectionState(s backend.SyncState) string {
	switch s {
	case backend.SyncReconnect:
		return "reconnect"
	case backend.SyncOffline:
		return "offline"
	}
	return "connected"
}

// syncStatus is the live status when the account syncs in this process,
// else the stored one.
func (a *App) syncStatus(account string) (backend.SyncStatus, bool, error) {
	if st, err := a.syncer.AccountStatus(a.ctx, account); err == nil {
		return st, true, nil
	}
	return backend.ReadSyncStatus(a.ctx, a.store, account)
}

// attach makes sure a connected account is syncing: when its secret is in
// the keychain but the workspace does not know it yet, it is marked
// connected first.
func (a *App) attach(c Connector) error {
	_, found, err := backend.ReadSyncStatus(a.ctx, a.store, c.Account)
	if err != nil {
		return err
	}
	if !found {
		if a.secrets == nil {
			return backend.Errorf(backend.ENOTFOUND, "%s is not connected: %s", c.Label, c.Hint)
		}
		if _, err := a.secrets.Get(c.Account); err != nil {
			if backend.ErrorCode(err) == backend.ENOTFOUND {
				return backend.Errorf(backend.ENOTFOUND, "%s is not connected: %s", c.Label, c.Hint)
			}
			return err
		}
		if err := backend.MarkConnected(a.ctx, a.store, c.Account); err != nil {
			return err
		}
	} else if st, _, _ := a.syncStatus(c.Account); st.State == backend.SyncReconnect {
		// A kick after `caseyos connect` replaced the credentials.
		if err := backend.MarkConnected(a.ctx, a.store, c.Account); err != nil {
			return err
		}
	}
	return a.addAccount(c)
}

func (a *App) syncStatuses(account string) ([]SyncStatusDTO, error) {
	sts, err := a.syncer.Status(a.ctx)
	if err != nil {
		return nil, err
	}
	out := []SyncStatusDTO{}
	for _, st := range sts {
		if account == "" || st.Account == account {
			out = append(out, toSyncStatusDTO(st))
		}
	}
	return out, nil
}
