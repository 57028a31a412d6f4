package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/store"
)

// The HubSpot full sync at scale (issue 24.4): a first sync of N contacts
// from the fake HubSpot, which enforces HubSpot's private-app limit (100
// requests in any rolling 10 s, answered with 429 beyond it) and its 100
// objects per page, through the real connector, rate limiter, sync engine
// and bbolt store, as `caseyos sync` runs it.
//
// Time is simulated honestly but faster: the fake, the client, the
// limiter and the sync engine share one clock that runs scale times faster
// than the wall (CASEYOS_SYNC_BENCH_SCALE, default 4), so HubSpot's 10 s
// window lasts 2.5 s of real time. Everything real — HTTP on loopback, JSON,
// the store's writes — takes its real time, multiplied by scale on that
// clock: the figures are, if anything, pessimistic.
//
// Throughput is reported against the ceiling the limit allows for the
// requests the sync makes (a contacts page and a batch read of its
// companies: 2 requests per 100 contacts, so 500 contacts/s), and against
// the contacts-only ceiling (1,000/s). Peak live heap is sampled every
// 5 ms of real time, less the live heap before the sync starts; the fake
// runs in a process of its own so its records are not counted.

// scaledClock runs factor times faster than the wall clock.
type scaledClock struct {
	start  time.Time // virtual time at real0
	real0  time.Time
	factor float64
}

// newScaledClock starts at real0, the wall-clock instant at which virtual
// and real time agree: two processes given the same real0 and factor
// share one simulated time.
func newScaledClock(real0 time.Time, factor float64) *scaledClock {
	return &scaledClock{start: real0, real0: real0, factor: factor}
}

func (c *scaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.real0)) * c.factor))
}

func (c *scaledClock) After(d time.Duration) <-chan time.Time {
	out := make(chan time.Time, 1)
	time.AfterFunc(time.Duration(float64(d)/c.factor), func() { out <- c.Now() })
	return out
}

// countingTransport counts the requests the client sends and the 429s.
type countingTransport struct {
	requests, limited atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.limited.Add(1)
	}
	return resp, err
}

// fullSyncResult is one measured first sync.
type fullSyncResult struct {
	Contacts  int
	Stored    int
	Virtual   time.Duration // on the scaled clock
	Requests  int64
	Limited   int64 // 429s
	PeakHeap  uint64
	BaseHeap  uint64
	Scale     float64
	Companies int
}

func (r fullSyncResult) rate() float64 { return float64(r.Contacts) / r.Virtual.Seconds() }

// ceiling is what HubSpot's 100 requests / 10 s allows for the requests
// this sync made: contacts per request × 10 requests/s.
func (r fullSyncResult) ceiling() float64 {
	ok := r.Requests - r.Limited
	return float64(r.Contacts) / float64(ok) * 10
}

func (r fullSyncResult) String() string {
	return fmt.Sprintf("%7d contacts in %6.1f s (simulated, ×%g): %6.1f contacts/s; %d requests (%d answered 429); ceiling for these requests %.0f/s → ratio %.3f; contacts-only ceiling 1,000/s → %.3f; peak live heap %.1f MiB above the %.1f MiB before it",
		r.Contacts, r.Virtual.Seconds(), r.Scale, r.rate(), r.Requests, r.Limited, r.ceiling(), r.rate()/r.ceiling(),
		r.rate()/1000, float64(r.PeakHeap)/(1<<20), float64(r.BaseHeap)/(1<<20))
}

// startFakeProcess runs the fake HubSpot with n contacts in a process of
// its own (this test binary, as TestHubSpotFakeProcess), so that the
// heap measured here is the sync's alone, on the same simulated clock.
func startFakeProcess(tb testing.TB, n int, clock *scaledClock) (url, token string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHubSpotFakeProcess$")
	cmd.Env = append(os.Environ(), "CASEYOS_FAKE_HUBSPOT_N="+strconv.Itoa(n),
		"CASEYOS_FAKE_HUBSPOT_REAL0="+strconv.FormatInt(clock.real0.UnixNano(), 10),
		"CASEYOS_FAKE_HUBSPOT_SCALE="+strconv.FormatFloat(clock.factor, 'g', -1, 64))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "FAKE" {
			go io.Copy(io.Discard, stdout)
			return f[1], f[2]
		}
	}
	tb.Fatalf("the fake HubSpot process did not start: %v", sc.Err())
	return "", ""
}

// TestHubSpotFakeProcess is the fake of startFakeProcess; it does nothing
// unless started by it. It serves until its standard input closes.
func TestHubSpotFakeProcess(t *testing.T) {
	n, err := strconv.Atoi(os.Getenv("CASEYOS_FAKE_HUBSPOT_N"))
	if err != nil {
		t.Skip("runs only as the full-sync benchmark's fake")
	}
	real0, _ := strconv.ParseInt(os.Getenv("CASEYOS_FAKE_HUBSPOT_REAL0"), 10, 64)
	scale, _ := strconv.ParseFloat(os.Getenv("CASEYOS_FAKE_HUBSPOT_SCALE"), 64)
	clock := newScaledClock(time.Unix(0, real0), scale)
	srv := hubspottest.New(hubspottest.Options{Clock: clock, NoRequestLog: true})
	srv.Seed(fullSyncSeed(n, clock.Now()))
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fmt.Printf("\nFAKE %s %s\n", url, srv.Token())
	io.Copy(io.Discard, os.Stdin)
}

// fullSyncSeed is n contacts over n/10 companies, created over three years
// (before the connector's look-back, as an old CRM's are).
func fullSyncSeed(n int, now time.Time) hubspottest.Seed {
	var seed hubspottest.Seed
	companies := max(n/10, 1)
	for i := 0; i < companies; i++ {
		seed.Companies = append(seed.Companies, hubspottest.Company{ID: strconv.Itoa(500000 + i), Name: fmt.Sprintf("Company %d", i),
			Domain: fmt.Sprintf("company%d.test", i), Industry: "Software", Employees: 10 + i%500, Country: "US", CreatedAt: now.Add(-3 * 365 * 24 * time.Hour)})
	}
	for i := 0; i < n; i++ {
		seed.Contacts = append(seed.Contacts, hubspottest.Contact{ID: strconv.Itoa(1_000_000 + i),
			Email: fmt.Sprintf("person%d@company%d.test", i, i%companies), FirstName: "Person", LastName: strconv.Itoa(i),
			JobTitle: "Engineer", Lifecycle: "lead", CompanyID: strconv.Itoa(500000 + i%companies),
			CreatedAt: now.Add(-3*365*24*time.Hour + time.Duration(i)*time.Minute)})
	}
	return seed
}

// runFullSync seeds the fake with n contacts and runs one first sync pass.
func runFullSync(tb testing.TB, n int, scale float64) fullSyncResult {
	tb.Helper()
	clock := newScaledClock(time.Now(), scale)
	url, token := startFakeProcess(tb, n, clock)
	db, err := store.Open(filepath.Join(tb.TempDir(), "caseyos.db"), store.Options{Clock: clock})
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	pages, _ := strconv.Atoi(os.Getenv("CASEYOS_SYNC_BENCH_PAGES")) // 0: the connector's default
	tr := &countingTransport{}
	client, err := hubspot.New(hubspot.Config{BaseURL: url, Clock: clock, Credentials: hubspot.Credentials{Token: token},
		Limiter: app.NewLimiter(hubspotConnector(url, clock, nil), clock), HTTPClient: &http.Client{Transport: tr, Timeout: time.Minute}, SearchLag: -1, PageBudget: pages})
	if err != nil {
		tb.Fatal(err)
	}
	services := backend.NewServices(db, clock, nil)
	syncer := backend.NewSyncer(services.Ingest, backend.SyncOptions{Clock: clock, RateWait: time.Hour})
	if err := syncer.Add(client); err != nil {
		tb.Fatal(err)
	}

	// Memory is the live heap (what the last GC found reachable), sampled
	// every 5 ms: the peak during the sync less the live heap before it.
	// The fake runs in its own process, so none of it is its records.
	runtime.GC()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	base := live[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		m := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				metrics.Read(m)
				if v := m[0].Value.Uint64(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	start := clock.Now()
	sts, err := syncer.SyncOnce(context.Background(), "hubspot")
	elapsed := clock.Now().Sub(start)
	close(stop)
	wg.Wait()
	if err != nil {
		tb.Fatalf("sync: %v (%+v)", err, sts)
	}
	stored := 0
	if err := db.View(context.Background(), func(tx backend.Tx) error {
		_, total, err := tx.FindSignals(backend.SignalFilter{Limit: 1})
		stored = total
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	if f := os.Getenv("CASEYOS_SYNC_BENCH_HEAP"); f != "" {
		runtime.GC()
		out, _ := os.Create(f)
		pprof.WriteHeapProfile(out)
		out.Close()
	}
	p := peak.Load()
	if p < base {
		p = base
	}
	return fullSyncResult{Contacts: n, Stored: stored, Virtual: elapsed, Requests: tr.requests.Load(), Limited: tr.limited.Load(),
		PeakHeap: p - base, BaseHeap: base, Scale: scale, Companies: max(n/10, 1)}
}

func benchScale() float64 {
	if f, err := strconv.ParseFloat(os.Getenv("CASEYOS_SYNC_BENCH_SCALE"), 64); err == nil && f > 0 {
		return f
	}
	return 4
}

// TestHubSpotFullSync_Throughput: a first sync of 20,000 contacts stores
// every contact and is never answered 429 (the limiter keeps under the
// limit instead of running into it). The throughput it reaches depends on
// the CPU the host can spare (the clock runs faster than the wall), so the
// 0.9 target is asserted only as a benchmark (CASEYOS_SYNC_BENCH=1), not
// in the test tiers, where -race and a loaded host would make it flaky.
func TestHubSpotFullSync_Throughput(t *testing.T) {
	if testing.Short() {
		t.Skip("takes several seconds")
	}
	r := runFullSync(t, 20_000, benchScale())
	t.Log(r)
	if r.Stored < r.Contacts {
		t.Errorf("stored %d signals, want the %d contacts", r.Stored, r.Contacts)
	}
	if ratio := r.rate() / r.ceiling(); ratio < 0.9 && os.Getenv("CASEYOS_SYNC_BENCH") != "" {
		t.Errorf("throughput %.1f contacts/s = %.3f of the %.0f/s the limit allows, want ≥ 0.9", r.rate(), ratio, r.ceiling())
	}
	if r.Limited > 0 {
		t.Errorf("%d requests answered 429, want none", r.Limited)
	}
}

// TestHubSpotFullSync_Scale prints the figures of docs/benchmarks.md: a
// first sync of 10,000, 50,000 and 100,000 contacts (CASEYOS_SYNC_BENCH=1;
// CASEYOS_SYNC_BENCH_SIZES=10000,50000,100000 to choose). Peak heap must
// stay flat: the largest run may not take more than twice the smallest.
func TestHubSpotFullSync_Scale(t *testing.T) {
	if os.Getenv("CASEYOS_SYNC_BENCH") == "" {
		t.Skip("set CASEYOS_SYNC_BENCH=1 to run the 10k/50k/100k sync benchmark")
	}
	sizes := []int{10_000, 50_000, 100_000}
	if s := os.Getenv("CASEYOS_SYNC_BENCH_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	var results []fullSyncResult
	for _, n := range sizes {
		r := runFullSync(t, n, benchScale())
		fmt.Println(r)
		results = append(results, r)
	}
	first, last := results[0], results[len(results)-1]
	if last.PeakHeap > 2*first.PeakHeap+(8<<20) {
		t.Errorf("peak heap grows with contacts: %.1f MiB at %d, %.1f MiB at %d", float64(first.PeakHeap)/(1<<20), first.Contacts,
			float64(last.PeakHeap)/(1<<20), last.Contacts)
	}
}
