package backend_test

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/backend"
)

func TestErrorCodeAndMessage(t *testing.T) {
	inner := backend.Errorf(backend.ENOTFOUND, "move 42 not found")
	wrapped := fmt.Errorf("loading: %w", backend.WrapError("skip", inner))
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"nil", nil, "", ""},
		{"plain error is internal and hides its text", errors.New("open /secret/path: denied"), backend.EINTERNAL, "An internal error occurred."},
		{"coded", inner, backend.ENOTFOUND, "move 42 not found"},
		{"wrapped keeps code and message", wrapped, backend.ENOTFOUND, "move 42 not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backend.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode = %q, want %q", got, tt.code)
			}
			if got := backend.ErrorMessage(tt.err); got != tt.msg {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.msg)
			}
		})
	}
	if !errors.Is(wrapped, inner) {
		t.Error("errors.Is does not see through WrapError")
	}
}

// TestBackendImportsStdlibOnly enforces the dependency rule: the domain
// imports the standard library only.
func TestBackendImportsStdlibOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if !strings.HasPrefix(p, "github.com/caseyos/caseyos/backend") {
			t.Errorf("backend depends on %s; the domain may import the standard library only", p)
		}
	}
}

type waitErr struct{ d time.Duration }

func (e waitErr) Error() string             { return "rate limited" }
func (e waitErr) RetryAfter() time.Duration { return e.d }

func TestRetryAfter(t *testing.T) {
	wrapped := backend.WrapError("poll", &backend.Error{Code: backend.EUNAVAILABLE, Message: "HubSpot is rate limiting", Err: waitErr{7 * time.Second}})
	if d, ok := backend.RetryAfter(wrapped); !ok || d != 7*time.Second {
		t.Errorf("RetryAfter(wrapped) = %v, %v, want 7s, true", d, ok)
	}
	if d, ok := backend.RetryAfter(backend.Errorf(backend.EUNAVAILABLE, "down")); ok {
		t.Errorf("RetryAfter(plain) = %v, true, want false", d)
	}
}

// TestErrorCode_Allocs: reading the code of an *Error allocates nothing
// (ingest asks it for every duplicate and missed lookup); a wrapped one
// still reads through the chain.
func TestErrorCode_Allocs(t *testing.T) {
	e := backend.Errorf(backend.ENOTFOUND, "no open move")
	if n := testing.AllocsPerRun(100, func() { _ = backend.ErrorCode(e) }); n != 0 {
		t.Errorf("ErrorCode(*Error) allocates %v times, want 0", n)
	}
	if got := backend.ErrorCode(fmt.Errorf("wrapped: %w", e)); got != backend.ENOTFOUND {
		t.Errorf("ErrorCode(wrapped) = %q, want %q", got, backend.ENOTFOUND)
	}
	if got := backend.ErrorCode(&backend.Error{Message: "no code"}); got != backend.EINTERNAL {
		t.Errorf("ErrorCode(no code) = %q, want %q", got, backend.EINTERNAL)
	}
}
