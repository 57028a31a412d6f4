package xtest

import (
	"bytes"
	"net/http"
	"strings"
	"time"
)

// Fault is a failure the fake plays in place of, or around, an API request
// that passed the signature check. The zero Status with no Delay or Drop
// does nothing.
type Fault struct {
	// Method and Path limit the fault to matching requests ("" = any; Path
	// is a prefix, e.g. "/2/users/" for the timelines).
	Method, Path string
	// After lets this many matching requests through first: After 1 with
	// Status 429 answers the second page of a paged read.
	After int
	// Times is how many requests it affects (0 = 1).
	Times int
	// Status answers the request with this status instead of serving it:
	// 429 (with x-rate-limit-remaining 0, the window's reset and no
	// Retry-After, as X sends; the window itself is not spent, which
	// ExhaustRateLimit does) or a 5xx with X's problem JSON.
	Status int
	// Delay holds the answer this long (bounded by the client giving up).
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Arrived, when set, is sent to (without blocking) as the fault takes
	// hold of a request: a test knows the request is in flight and can,
	// say, kill the client while X holds it.
	Arrived chan<- struct{}
	// AfterCommit serves the request first — a post is created, a like
	// made — and only then delays or drops the answer: the client cannot
	// know it happened.
	AfterCommit bool
}

// Inject queues f. Faults act in the order queued: a request counts
// against the first one it matches.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, &f)
	s.mu.Unlock()
}

// FailAt makes the nth API request from now (1 = the next) answer status.
func (s *Server) FailAt(n, status int) { s.Inject(Fault{After: n - 1, Status: status}) }

// Slow delays the answers of the next n API requests by d.
func (s *Server) Slow(n int, d time.Duration) { s.Inject(Fault{Times: n, Delay: d}) }

// Drop closes the connection of the next n API requests without an answer.
func (s *Server) Drop(n int) { s.Inject(Fault{Times: n, Drop: true}) }

// takeFault returns the fault that acts on this request; s.mu is held.
func (s *Server) takeFault(method, path string) *Fault {
	for i, f := range s.faults {
		if (f.Method != "" && f.Method != method) || !strings.HasPrefix(path, f.Path) {
			continue
		}
		if f.After > 0 {
			f.After--
			return nil
		}
		if f.Times--; f.Times <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		c := *f
		return &c
	}
	return nil
}

// applyFault plays f around h. 429s were answered before.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, h http.HandlerFunc) {
	arrived(f)
	wait := func() bool {
		if f.Delay <= 0 {
			return true
		}
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-r.Context().Done():
			return false
		}
	}
	drop := func() {
		if sw, ok := w.(*statusWriter); ok {
			if conn, _, err := sw.Hijack(); err == nil {
				conn.Close()
			}
		}
	}
	if f.AfterCommit {
		rec := &bufferedWriter{header: http.Header{}}
		h(rec, r)
		if !wait() {
			return
		}
		if f.Drop {
			drop()
			return
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		w.Write(rec.body.Bytes())
		return
	}
	if !wait() {
		return
	}
	switch {
	case f.Drop:
		drop()
	case f.Status >= 500:
		title := http.StatusText(f.Status)
		writeProblem(w, f.Status, title, title)
	case f.Status != 0:
		writeProblem(w, f.Status, http.StatusText(f.Status), http.StatusText(f.Status))
	default:
		h(w, r)
	}
}

// bufferedWriter holds an answer until a fault lets it go.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func arrived(f *Fault) {
	if f.Arrived != nil {
		select {
		case f.Arrived <- struct{}{}:
		default:
		}
	}
}
