// Package x connects CaseyOS to X (api.x.com) over OAuth 1.0a user
// context (github.com/dghubble/oauth1, HMAC-SHA1): the sign-in (a
// loopback callback or the PIN), GET /2/users/me, a Poller for the
// user's mentions and for the watch list through recent search, and the
// SocialFeed the reply_social moves use (reply, like, delete, and finding
// our own reply after a crash). It implements backend.Poller,
// backend.MorePoller, backend.NotePoller and backend.SocialFeed, and
// imports only backend, connectors/internal/loopback and oauth1.
//
// X's behaviour it relies on is in ../../../shared/docs/api-facts.md §5:
// mentions page with pagination_token, search with next_token, an empty
// page has no data key, meta.newest_id moves since_id, and the limits come
// as x-rate-limit-remaining and -reset (absolute epoch seconds) with no
// Retry-After. connectors/x/xtest is the fake it is tested against.
package x
