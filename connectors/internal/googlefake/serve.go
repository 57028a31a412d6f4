package googlefake

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Listener is where a Google fake serves. Embedded in the fake it gives
// it URL and Close; the fake's Start and NewTestServer hand it their
// handler.
type Listener struct {
	// URL is the base URL once Start or NewTestServer has run.
	URL string
	srv *http.Server
}

// Listen serves h on addr ("127.0.0.1:0" for any port) until Close, and
// sets URL.
func (l *Listener) Listen(addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	l.URL = "http://" + ln.Addr().String()
	l.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go l.srv.Serve(ln)
	return nil
}

// ServeTest serves h on an httptest server closed when the test ends, and
// sets URL.
func (l *Listener) ServeTest(tb testing.TB, h http.Handler) {
	tb.Helper()
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	l.URL = ts.URL
}

// Close stops a server started with Listen.
func (l *Listener) Close() error {
	if l.srv == nil {
		return nil
	}
	return l.srv.Close()
}

// BearerClient is an HTTP client that sends token as its bearer token, for
// tests of an API connector that are not about OAuth.
func BearerClient(token string) *http.Client {
	return &http.Client{Transport: bearer(token)}
}

type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}
