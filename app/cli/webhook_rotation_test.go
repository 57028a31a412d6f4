package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestWebhooks_SecretRotation runs serve with the webhook receiver, then
// changes its secret through the running instance (`caseyos connect
// webhook`) and directly in the keychain, as another process does: the old
// secret is refused and the new one accepted without a restart, and after
// a disconnect everything is refused.
func TestWebhooks_SecretRotation(t *testing.T) {
	k := keychain.NewMock()
	const first, second, third = "first-secret-0123456789", "second-secret-0123456789", "third-secret-0123456789"
	if err := k.Set(app.WebhookSecretAccount, first); err != nil {
		t.Fatal(err)
	}
	hookAddr := freeAddr(t)
	conns := []app.Connector{{Account: "hubspot", Label: "HubSpot",
		Webhook: func(secret func() (string, error), now func() time.Time, sink func(context.Context, []*backend.Signal) error) http.Handler {
			return hubspot.WebhookHandler(secret, now, sink)
		}}}
	s := startServeWith(t, t.TempDir(), func(e *cli.Env) {
		e.Secrets, e.WebhookAddr, e.Connectors = k, hookAddr, conns
	})
	ctl := func(stdin string, args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", s.dir}, args...), cli.Env{
			Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: backend.SystemClock{}, Secrets: k, Connectors: conns,
			Open: func(p string) (backend.Store, error) {
				return store.Open(p, store.Options{Timeout: 200 * time.Millisecond})
			},
		})
		return code, out.String() + errb.String()
	}
	n := 0
	form := func(secret string) (int, string) {
		n++
		req, _ := http.NewRequest(http.MethodPost, "http://"+hookAddr+"/hooks/form", strings.NewReader(fmt.Sprintf(`{"email":"f%d@example.com","form":"Demo"}`, n)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(app.FormSecretHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	hub := func(secret string) int {
		n++
		body := []byte(fmt.Sprintf(`[{"eventId":%d,"occurredAt":%d,"subscriptionType":"contact.creation","objectId":%d}]`, n, time.Now().UnixMilli(), 5000+n))
		req, _ := hubspottest.SignedWebhookRequest(context.Background(), secret, "http://"+hookAddr+"/hooks/hubspot", body, time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// expect waits up to d for both receivers to answer want to secret.
	expect := func(what, secret string, form0, hub0 int, d time.Duration) {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			f, msg := form(secret)
			h := hub(secret)
			if f == form0 && h == hub0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: form %d %q, hubspot %d; want %d and %d", what, f, strings.TrimSpace(msg), h, form0, hub0)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	expect("first secret", first, http.StatusAccepted, http.StatusNoContent, 0)

	// Through the running instance: at once.
	if code, out := ctl(second, "connect", "webhook", "--secret-stdin"); code != 0 {
		t.Fatalf("connect webhook: %d %s", code, out)
	}
	expect("old secret after connect through the instance", first, http.StatusUnauthorized, http.StatusUnauthorized, 0)
	expect("new secret after connect through the instance", second, http.StatusAccepted, http.StatusNoContent, 0)

	// In the keychain by another process: within the cache's lifetime.
	if err := k.Set(app.WebhookSecretAccount, third); err != nil {
		t.Fatal(err)
	}
	expect("old secret after a rotation in the keychain", second, http.StatusUnauthorized, http.StatusUnauthorized, 10*time.Second)
	expect("new secret after a rotation in the keychain", third, http.StatusAccepted, http.StatusNoContent, 0)

	// Disconnected through the instance: everything refused, saying why.
	if code, out := ctl("", "disconnect", "webhook"); code != 0 {
		t.Fatalf("disconnect webhook: %d %s", code, out)
	}
	expect("after disconnect", third, http.StatusServiceUnavailable, http.StatusServiceUnavailable, 0)
	if _, msg := form(third); !strings.Contains(msg, "no webhook secret") {
		t.Errorf("refusal after disconnect says %q, want it to name the missing secret", msg)
	}

	// Connected again, then removed from the keychain by another process.
	if code, out := ctl(first, "connect", "webhook", "--secret-stdin"); code != 0 {
		t.Fatalf("connect webhook: %d %s", code, out)
	}
	expect("reconnected", first, http.StatusAccepted, http.StatusNoContent, 0)
	if err := k.Delete(app.WebhookSecretAccount); err != nil {
		t.Fatal(err)
	}
	expect("after a removal from the keychain", first, http.StatusServiceUnavailable, http.StatusServiceUnavailable, 10*time.Second)
}
