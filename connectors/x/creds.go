package x

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// Credentials are what the keychain holds for X: the developer app's
// consumer key and secret, and the user's access token and secret (OAuth
// 1.0a tokens do not expire), with the account they name.
type Credentials struct {
	ConsumerKey    string `json:"consumer_key"`
	ConsumerSecret string `json:"consumer_secret"`
	Token          string `json:"token"`
	TokenSecret    string `json:"token_secret"`
	UserID         string `json:"user_id,omitempty"`
	Username       string `json:"username,omitempty"`
}

// Marshal is the keychain's form of c.
func (c Credentials) Marshal() string {
	b, _ := json.Marshal(c) // strings only: cannot fail
	return string(b)
}

// ParseCredentials reads the keychain's form. Missing keys or tokens, or a
// user id that is not X's, read as EUNAUTHORIZED: connect X again.
func ParseCredentials(s string) (Credentials, error) {
	var c Credentials
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return Credentials{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: "x.ParseCredentials",
			Message: "the stored X credentials are unreadable: run `caseyos connect x` again", Err: err}
	}
	if c.ConsumerKey == "" || c.ConsumerSecret == "" || c.Token == "" || c.TokenSecret == "" {
		return Credentials{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: "x.ParseCredentials",
			Message: "the stored X credentials are incomplete: run `caseyos connect x` again"}
	}
	if c.UserID != "" && !ValidID(c.UserID) {
		return Credentials{}, &backend.Error{Code: backend.EUNAUTHORIZED, Op: "x.ParseCredentials",
			Message: "the stored X account id is not one X issues: run `caseyos connect x` again"}
	}
	return c, nil
}

var idRe = regexp.MustCompile(`^[0-9]{1,19}$`)

// ValidID reports whether s is an X id (a post's or a user's): 1 to 19
// digits. Ids go into request paths, so anything else is refused before
// it can reach one.
func ValidID(s string) bool { return idRe.MatchString(s) }

// cleanKey trims what a paste adds to a key or token.
func cleanKey(s string) string { return strings.TrimSpace(s) }
