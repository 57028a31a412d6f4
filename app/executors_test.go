package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
)

type memKeychain struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memKeychain) Get(a string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.m[a]; ok {
		return v, nil
	}
	return "", backend.Errorf(backend.ENOTFOUND, "no secret for %s", a)
}

func (k *memKeychain) Set(a, s string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[a] = s
	return nil
}

func (k *memKeychain) Delete(a string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, a)
	return nil
}

// A connected account's client carries out the moves it can, and stops
// when the account is disconnected.
func TestApp_ConnectedAccountExecutes(t *testing.T) {
	e := newExecEnv(t)
	a := New(Options{Store: e.db, Clock: e.clock, Executors: []backend.Executor{backend.LocalExecutor{}},
		Secrets: &memKeychain{m: map[string]string{"hubspot": e.hs.Token()}},
		Connectors: []Connector{{Account: "hubspot", Label: "HubSpot",
			Poller: func(secret string, l backend.RateLimiter, _ backend.Directory) (backend.Poller, error) {
				return hubspot.New(hubspot.Config{BaseURL: e.hs.URL(), Clock: e.clock, Limiter: l, Credentials: hubspot.Credentials{Token: secret}, SearchLag: -1})
			}}}})
	if err := a.queue.Executions.CanExecute(backend.KindCreateTask); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Fatalf("before connecting: CanExecute(create_task) = %v, want unavailable", err)
	}
	if err := a.addAccount(a.connectors[0]); err != nil {
		t.Fatal(err)
	}
	if err := a.queue.Executions.CanExecute(backend.KindCreateTask); err != nil {
		t.Fatalf("after connecting: CanExecute(create_task) = %v", err)
	}
	if err := a.queue.Executions.CanExecute(backend.KindNote); err != nil {
		t.Errorf("notes stopped working: %v", err)
	}
	id := e.move(&backend.Move{Kind: backend.KindCreateTask, Title: "Follow up", Subject: backend.Subject{Type: backend.SubjectContact, ID: "101"}, ContactID: "101"})
	if _, err := a.bound.Execution.ExecuteMove(id, ExecuteRequestDTO{Via: "key"}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(11 * time.Second)
	a.queue.Executions.Tick(context.Background())
	if n := len(e.hs.Objects("tasks")); n != 1 {
		t.Fatalf("HubSpot holds %d tasks, want 1", n)
	}
	if _, err := a.bound.Connections.Disconnect("hubspot"); err != nil {
		t.Fatal(err)
	}
	if err := a.queue.Executions.CanExecute(backend.KindCreateTask); backend.ErrorCode(err) != backend.EUNAVAILABLE {
		t.Errorf("after disconnecting: CanExecute(create_task) = %v, want unavailable", err)
	}
}
