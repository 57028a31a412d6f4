// Package xtest is a stateful, in-process fake of X (api.x.com) — OAuth
// 1.0a and the API v2 endpoints the x connector uses — for tests and for
// the demo workspace. It follows ../shared/docs/api-facts.md §5 and X's
// documentation, and refuses what X refuses, so that a connector which
// passes against it has met each behaviour once.
//
// # Setting it up
//
//	srv := xtest.NewTestServer(t, xtest.Options{})   // or New + Start(addr)
//	key, secret := srv.NewConsumer()                 // the developer app
//	me := srv.AddUser(xtest.User{Username: "pebblecache", Name: "PebbleCache"})
//	tok, tokSecret := srv.NewAccessToken(key, me.ID) // "Keys and tokens" in the portal
//	jess := srv.AddUser(xtest.User{Username: "devjess", Followers: 5400})
//	srv.AddMention(jess.ID, "@pebblecache CI went from 22 minutes to 6", time.Now())
//
// srv.URL() stands for https://api.x.com: the OAuth endpoints are at
// /oauth/request_token, /oauth/authorize and /oauth/access_token, the API at
// /2/…. AddTweet adds any post (replies, quotes, retweets; a post whose text
// holds @handle is in that user's mentions); AddConsumer, AddAccessToken
// register fixed credentials.
//
// # OAuth 1.0a
//
// Every request is checked as RFC 5849 §3.2 says, by the fake's own code:
// the HMAC-SHA1 signature over the method, the base URI (scheme, host,
// path; the default port dropped; no query) and the normalized parameters —
// the Authorization header's oauth_* (not realm, not oauth_signature), the
// query, and a form-encoded body; never a JSON body —, percent-encoded per
// RFC 3986; the consumer and token known and not revoked; oauth_timestamp
// within Options.TimestampSkew of Options.AuthNow (the wall clock, since
// clients sign with it); each nonce once. Protocol parameters are read
// from the Authorization header only. A refusal is X's 401
// {"title":"Unauthorized",…} on the API and {"errors":[{"code":32,…}]} on
// the OAuth endpoints.
//
// The three-legged flow: POST /oauth/request_token needs oauth_callback,
// "oob" or a loopback http URL (anything else: 403, code 415), and answers
// oauth_token, oauth_token_secret and oauth_callback_confirmed=true. The
// person's consent is Approve(requestToken, userID) — the redirect to the
// callback with oauth_token and oauth_verifier, or the PIN for "oob" —, or
// GET /oauth/authorize in a browser: with Options.AuthorizeAs it approves
// at once (a 302, or the PIN page with the PIN in <code>), else it lists
// the users to choose from. POST /oauth/access_token (oauth_verifier)
// answers oauth_token, oauth_token_secret, user_id and screen_name, the
// same token again when the user authorizes the app again. RevokeAccess
// makes a user's tokens answer 401.
//
// # API v2
//
//   - GET /2/users/me → {"data":{"id","name","username"}} (+ user.fields).
//   - GET /2/users/:id/mentions and GET /2/users/:id/tweets: newest first;
//     max_results 5–100 (default 10), since_id and until_id (exclusive),
//     start_time/end_time, pagination_token in the request and
//     meta.next_token in the answer; the most recent 800 mentions (3,200
//     posts) reachable; exclude=replies,retweets on the user's posts.
//   - GET /2/tweets/search/recent: the last seven days; query (≤ 512,
//     keywords, "phrases", OR, -, (), @user, #tag, from:, to:, url:,
//     lang:, is:, has:; one positive standalone term required),
//     max_results 10–100, next_token (or pagination_token, not both),
//     since_id, until_id, start_time ≥ seven days ago, end_time ≥ 10 s
//     ago, sort_order. Options.SearchNotEnrolled / EnrollSearch(false):
//     403 client-not-enrolled, as for an access level without search.
//     EmptySearchPages: a page with no data and a next_token, as X sends
//     when it filters after paging.
//   - Every list: data[] with id, text, edit_history_tweet_ids and the
//     tweet.fields asked for (author_id, created_at, conversation_id,
//     in_reply_to_user_id, referenced_tweets, public_metrics, lang);
//     includes.users[] / includes.tweets[] for the expansions
//     (author_id, in_reply_to_user_id, referenced_tweets.id,
//     referenced_tweets.id.author_id, entities.mentions.username) with the
//     user.fields (name, username, verified, public_metrics …); meta
//     {result_count, newest_id, oldest_id, next_token?}; an empty page is
//     {"meta":{"result_count":0}} with no data key. An unknown query
//     parameter, field or expansion, an id that is not ^[0-9]{1,19}$ or a
//     max_results out of range is X's 400 invalid-request problem. An
//     unknown user id is a 200 whose errors[] holds a resource-not-found.
//   - POST /2/tweets (JSON {"text", "reply":{"in_reply_to_tweet_id"},
//     "quote_tweet_id"}; a member X's schema does not know, a body that is
//     not JSON, or an empty text: 400) → 201 {"data":{"id","text",
//     "edit_history_tweet_ids"}}. The text is counted by WeightedLength
//     (280; URLs 23; CJK and emoji 2): over, 400 "Your Tweet text is too
//     long…". The same text twice by the same user (not deleted): 403
//     duplicate content. A reply to a missing or deleted post: 403. A
//     reply's stored text starts with "@author " as X's does (the handle is
//     not counted), which is what GET /2/users/:id/tweets shows later.
//   - POST /2/users/:id/likes {"tweet_id"} → {"data":{"liked":true}}
//     (another user's id: 403); DELETE /2/users/:id/likes/:tweet_id →
//     {"data":{"liked":false}}. DELETE /2/tweets/:id → {"data":
//     {"deleted":true}} (another's post: 403; a missing or already deleted
//     one: a 200 with a resource-not-found in errors[]).
//
// # Limits
//
// Each endpoint counts requests in fixed windows per user (DefaultLimits:
// mentions 180, search 300, users/me 75, the user's posts 900, posting 100
// per 15 minutes plus 10,000 per app per 24 hours, likes, unlikes and
// deletes 50);
// Options.Limits and Options.Window change them, Options.Clock moves them.
// Every answer past the signature check carries x-rate-limit-limit,
// -remaining and -reset (absolute epoch seconds), and POST /2/tweets the
// x-app-limit-24hour-* ones; at the limit X's 429 {"title":"Too Many
// Requests",…} with those headers and no Retry-After. RateLimit and
// ExhaustRateLimit read and spend a window.
//
// # Faults and what happened
//
// Inject queues a Fault: a status (a 429 with spent-window headers, or a
// 5xx) at the Nth matching request, a delay, a dropped connection, and with
// AfterCommit a request served whose answer is then delayed or lost — a
// post made that the client never hears of; Fault.Arrived tells a test the
// request is in flight (to kill the client while X holds it). FailAt, Slow and Drop are
// shorthands. Posted, Replies, Likes, Deleted, Tweet, Requests and Count
// report what the server holds and received.
//
// DemoSeed adds the demo workspace's X: @pebblecache and the mentions and
// competitor posts of backend/demo's scenario.
package xtest
