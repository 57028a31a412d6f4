package googlefake

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Start serves h on addr ("127.0.0.1:0" for any port) until the returned
// server is closed, and returns its base URL.
func Start(addr string, h http.Handler) (string, *http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), srv, nil
}

// Close stops a server Start returned; nil is fine.
func Close(srv *http.Server) error {
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// ServeTest serves h on an httptest server closed when the test ends, and
// returns its base URL.
func ServeTest(tb testing.TB, h http.Handler) string {
	tb.Helper()
	ts := httptest.NewServer(h)
	tb.Cleanup(ts.Close)
	return ts.URL
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
