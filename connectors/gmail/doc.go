// Package gmail is the Gmail connector: a backend.Poller that turns new mail
// into signals (email.replied, email.received, email.bounced,
// email.out_of_office) from a Gmail historyId cursor, and a backend.Mailbox
// that sends threaded replies and manages drafts, each message carrying our
// own Message-ID so a retry can find out whether it already left.
//
// It talks to Gmail through google.golang.org/api/gmail/v1 over an
// authorized *http.Client the caller builds (connectors/google in main.go),
// so it knows nothing about OAuth. The generated client never retries: this
// package paces itself through a backend.RateLimiter, backs off on 429 and
// rate-limit 403s (the request loop it shares with gcal, in
// connectors/internal/googleapi), and counts the quota units it spends.
package gmail
