package hubspot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// memSecrets is an in-memory backend.Secrets.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[account]
	if !ok {
		return "", backend.Errorf(backend.ENOTFOUND, "no secret for %s", account)
	}
	return v, nil
}

func (s *memSecrets) Set(account, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[account] = secret
	return nil
}

func (s *memSecrets) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, account)
	return nil
}

// recLimiter records what the connector tells its limiter.
type recLimiter struct {
	mu       sync.Mutex
	waits    int
	observed []observation
}

type observation struct {
	remaining int
	reset     time.Duration
}

func (l *recLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	l.waits++
	l.mu.Unlock()
	return ctx.Err()
}

func (l *recLimiter) Observe(remaining int, reset time.Duration) {
	l.mu.Lock()
	l.observed = append(l.observed, observation{remaining, reset})
	l.mu.Unlock()
}

type fixture struct {
	srv     *hubspottest.Server
	clock   *backend.ManualClock
	client  *Client
	limiter *recLimiter
	secrets *memSecrets
}

// newFixture starts a fake (no rate limit unless opts says so) and a
// client using its private-app token.
func newFixture(tb testing.TB, opts hubspottest.Options, mod ...func(*Config)) *fixture {
	tb.Helper()
	f := &fixture{clock: backend.NewManualClock(t0), limiter: &recLimiter{}, secrets: &memSecrets{}}
	if opts.Clock == nil {
		opts.Clock = f.clock
	}
	if opts.TenSecondLimit == 0 {
		opts.TenSecondLimit = -1
	}
	f.srv = hubspottest.NewTestServer(tb, opts)
	cfg := Config{
		BaseURL: f.srv.URL(), Clock: f.clock, Limiter: f.limiter, Secrets: f.secrets,
		Credentials: Credentials{Token: f.srv.Token()}, PageBudget: 10_000,
	}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	f.client = c
	return f
}

func (f *fixture) poll(tb testing.TB, cursor string) ([]*backend.Signal, string) {
	tb.Helper()
	sigs, next, err := f.client.Poll(context.Background(), cursor)
	if err != nil {
		tb.Fatalf("Poll: %v", err)
	}
	return sigs, next
}

// pollAll polls until the pass is complete.
func (f *fixture) pollAll(tb testing.TB, cursor string) ([]*backend.Signal, string) {
	tb.Helper()
	var all []*backend.Signal
	for i := 0; ; i++ {
		sigs, next := f.poll(tb, cursor)
		all = append(all, sigs...)
		cursor = next
		if !f.client.More() {
			return all, cursor
		}
		if i > 10_000 {
			tb.Fatal("the pass never ends")
		}
	}
}

func keys(sigs []*backend.Signal) map[string]int {
	m := map[string]int{}
	for _, s := range sigs {
		m[s.DedupeKey]++
	}
	return m
}

func ofType(sigs []*backend.Signal, typ backend.SignalType) []*backend.Signal {
	var out []*backend.Signal
	for _, s := range sigs {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// countRequests counts recorded requests whose "METHOD path" has prefix.
func countRequests(srv *hubspottest.Server, prefix string) int {
	n := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Method+" "+r.Path, prefix) {
			n++
		}
	}
	return n
}

// bulkSeed makes n contacts (each at a company when withCompany) created
// one second apart from start.
func bulkSeed(n int, start time.Time, withCompany bool) hubspottest.Seed {
	var seed hubspottest.Seed
	if withCompany {
		seed.Companies = []hubspottest.Company{{ID: "5000", Name: "Acme", Domain: "acme.test", Industry: "SaaS", Employees: 50, Country: "US", CreatedAt: start}}
	}
	for i := 0; i < n; i++ {
		c := hubspottest.Contact{ID: fmt.Sprint(10000 + i), Email: fmt.Sprintf("p%d@acme.test", i), FirstName: "P", LastName: fmt.Sprint(i),
			CreatedAt: start.Add(time.Duration(i) * time.Second)}
		if withCompany {
			c.CompanyID = "5000"
		}
		seed.Contacts = append(seed.Contacts, c)
	}
	return seed
}
