//go:build darwin

package notify

import (
	"context"
	"os/exec"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// Client posts to the macOS user notification center through osascript's
// display notification: no dependency and no entitlement, and no actions
// (a click opens Script Editor's owner, not the app), so Open and Snooze
// are left to the window.
type Client struct{ o Options }

// Dial returns a Client; EUNAVAILABLE when osascript is missing.
func Dial(o Options) (*Client, error) {
	if _, err := exec.LookPath("osascript"); err != nil {
		return nil, &backend.Error{Code: backend.EUNAVAILABLE, Op: "notify.Dial", Err: err, Message: "osascript is not on PATH: no notifications"}
	}
	if o.AppName == "" {
		o.AppName = "CaseyOS"
	}
	return &Client{o: o}, nil
}

// Close does nothing.
func (c *Client) Close() error { return nil }

// Notify shows n in the notification center.
func (c *Client) Notify(ctx context.Context, n backend.Notification) error {
	script := "display notification " + quote(n.Body) + " with title " + quote(c.o.AppName) + " subtitle " + quote(n.Title)
	if out, err := exec.CommandContext(ctx, "osascript", "-e", script).CombinedOutput(); err != nil {
		return &backend.Error{Code: backend.EUNAVAILABLE, Op: "notify.Notify", Err: err,
			Message: "the notification center refused: " + firstLine(strings.TrimSpace(string(out)))}
	}
	return nil
}

// quote is an AppleScript string literal.
func quote(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
