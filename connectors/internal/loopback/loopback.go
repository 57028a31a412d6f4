// Package loopback receives the redirect that ends a desktop sign-in: a
// one-shot HTTP server on 127.0.0.1 that hands the callback's query to the
// connector and shows the person a page saying they can close the window.
package loopback

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Reply is what check makes of one callback: the page the person sees
// (Status 0 is 200), and whether the callback ends the sign-in — with Err,
// or with the query when Err is nil. A callback that does not end it (a
// stray request, a reload) only gets its page.
type Reply struct {
	Status int
	Page   string
	End    bool
	Err    error
}

type result struct {
	query url.Values
	err   error
}

// Server is a listening callback. Close it when the sign-in ends.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan result
	// URL is where the vendor redirects to: http://127.0.0.1:PORT/PATH.
	URL string
}

// Listen listens on a free port of 127.0.0.1 for a redirect to path;
// check answers each callback.
func Listen(path string, check func(q url.Values) Reply) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan result, 1), URL: fmt.Sprintf("http://%s%s", ln.Addr().String(), path)}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		rep := check(q)
		if rep.Status == 0 {
			rep.Status = http.StatusOK
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(rep.Status)
		fmt.Fprintf(w, "<!doctype html><title>CaseyOS</title><p>%s</p>", html.EscapeString(rep.Page))
		if rep.End {
			select {
			case s.done <- result{query: q, err: rep.Err}:
			default: // a second callback (a reload) changes nothing
			}
		}
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Wait returns the callback that ended the sign-in, or ctx's error.
func (s *Server) Wait(ctx context.Context) (url.Values, error) {
	select {
	case r := <-s.done:
		return r.query, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close shuts the server down, letting the last page finish.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
}
