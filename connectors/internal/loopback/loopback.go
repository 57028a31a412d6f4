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

// Result is what one callback said: the page to show and the query, or an
// error that ends the sign-in.
type Result struct {
	Query url.Values
	Err   error
}

// Server is a listening callback. Close it when the sign-in ends.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan Result
	// URL is where the vendor redirects to: http://127.0.0.1:PORT/PATH.
	URL string
}

// Listen listens on a free port of 127.0.0.1 for a redirect to path.
// check looks at each callback's query: it returns the page to show the
// person, and whether the callback ends the sign-in (with err, or with the
// query when err is nil). A callback that does not end it (a stray
// request) only gets its page.
func Listen(path string, check func(q url.Values) (page string, end bool, err error)) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, done: make(chan Result, 1), URL: fmt.Sprintf("http://%s%s", ln.Addr().String(), path)}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, end, err := check(q)
		status := http.StatusOK
		if err != nil {
			status = http.StatusBadRequest
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><title>CaseyOS</title><p>%s</p>", html.EscapeString(page))
		if end {
			select {
			case s.done <- Result{Query: q, Err: err}:
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
		return r.Query, r.Err
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
