package backend

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// The optional online recognizer: a Whisper-compatible endpoint that
// transcribes free speech, tried first when one is configured, with the
// offline grammar recognizer answering whenever it cannot. Without a
// configured endpoint nothing here runs and no request is ever made.

// Transcription configures the online recognizer. The zero value is none.
// The endpoint's API key is a secret: it lives in the keychain, never here.
type Transcription struct {
	URL     string        // the API base, e.g. https://api.openai.com/v1; "" = none
	Model   string        // "" = the recognizer's default (whisper-1)
	Timeout time.Duration // bounds one utterance; 0 = the recognizer's default
}

// MaxTranscriptionTimeout bounds Transcription.Timeout: a spoken command
// answered later than this is no longer an answer.
const MaxTranscriptionTimeout = 30 * time.Second

// Configured reports whether an endpoint is set.
func (t Transcription) Configured() bool { return t.URL != "" }

// Validate checks the endpoint is an http(s) URL without credentials in it.
func (t Transcription) Validate() error {
	if t.URL == "" {
		if t.Model != "" || t.Timeout != 0 {
			return Errorf(EINVALID, "a transcription model or timeout needs a transcription URL")
		}
		return nil
	}
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EINVALID, "the transcription URL must be an http(s) API base such as https://api.openai.com/v1")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Errorf(EINVALID, "the transcription URL must not carry credentials or a query: the API key goes to the keychain")
	}
	if len(t.Model) > 100 || strings.ContainsFunc(t.Model, func(r rune) bool { return r <= ' ' }) {
		return Errorf(EINVALID, "the transcription model must be a name without spaces")
	}
	if t.Timeout < 0 || t.Timeout > MaxTranscriptionTimeout {
		return Errorf(EINVALID, "the transcription timeout must be between 0 and %s", MaxTranscriptionTimeout)
	}
	return nil
}

// Recognizer names, as the voice status and `voice recognize` report them.
const (
	RecognizerOnline  = "online"
	RecognizerOffline = "offline"
)

// States of the online recognizer. An online recognizer marks a transient
// failure unavailable with a wait (RetryAfter): the network, a timeout, a
// 5xx, a rate limit. Every other failure needs the user: a refused key
// (unauthorized), an exhausted quota, an unknown model or URL.
const (
	OnlineReady        = "ready"        // answering, or not asked yet
	OnlineUnreachable  = "unreachable"  // a transient failure; tried again after its wait
	OnlineUnauthorized = "unauthorized" // the key was refused: connect again
	OnlineRefused      = "refused"      // anything else the user must fix; the message says what
)

// OnlineState classifies an online recognizer's failure (nil: ready).
func OnlineState(err error) string {
	switch ErrorCode(err) {
	case "":
		return OnlineReady
	case EUNAUTHORIZED:
		return OnlineUnauthorized
	case EUNAVAILABLE:
		if _, ok := RetryAfter(err); ok {
			return OnlineUnreachable
		}
	}
	return OnlineRefused
}

// OnlineStatus is how the online recognizer is doing.
type OnlineStatus struct {
	State   string
	Code    string    // the last failure's error code
	Message string    // the last failure, safe to show
	At      time.Time // when it failed
	// Until is when the online recognizer is asked again; until then the
	// offline one answers at once instead of after a timeout.
	Until time.Time
}

// SetTranscription stores the online recognizer's configuration (the zero
// value removes it) with the change in the audit log. Nothing is
// re-scored: voice plays no part in APS.
func (s *SettingsService) SetTranscription(ctx context.Context, t Transcription, actor Actor) error {
	if err := t.Validate(); err != nil {
		return err
	}
	detail := "online speech recognizer removed"
	if t.Configured() {
		detail = "online speech recognizer set to " + t.URL
		if t.Model != "" {
			detail += " (" + t.Model + ")"
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		st, err := tx.Settings()
		if err != nil {
			return err
		}
		st.Transcription = t
		if err := tx.PutSettings(st); err != nil {
			return err
		}
		return tx.AppendAudit(&AuditEntry{At: s.clock.Now(), Actor: actor, Action: AuditSettings, Detail: detail})
	})
	return WrapError("set transcription", err)
}
