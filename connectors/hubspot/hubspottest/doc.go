// Package hubspottest is a stateful, in-process fake of the HubSpot APIs the
// hubspot connector uses, for tests and for the demo workspace.
//
// It reproduces what ../shared/docs/api-facts.md §4 lists, faithfully enough
// that a connector which passes against it has met each behaviour once:
//
//   - CRM v3 objects (contacts, companies, deals, tasks): list with opaque
//     paging.next.after and no paging on the last page, limit ≤ 100; read,
//     create (201, 409 on a duplicate contact email), update, archive (204),
//     404 OBJECT_NOT_FOUND; every property value a string.
//   - Search with filter groups (OR of ANDs), sorts, limit ≤ 200 and the
//     10,000-result cap (paging past it → 400).
//   - Batch read/create/update/archive with the 100-input cap (more → 400)
//     and 207 partial results; propertiesWithHistory for deal stages.
//   - Contact merge, which gives the merged record a new id.
//   - Deal pipelines and stages, v4 association batch reads, forms and
//     their submissions (newest first, ≤ 50 a page), custom properties that
//     must be created before use.
//   - Private-app tokens and OAuth 2.0 (authorize with PKCE S256, code
//     exchange, refresh; access tokens that age into 401
//     EXPIRED_AUTHENTICATION; revoked refresh tokens → BAD_REFRESH_TOKEN).
//   - Rate limits: a rolling 10-second window and a daily budget, with the
//     X-HubSpot-RateLimit-* headers and the real 429 body.
//   - v3-signed webhook batches sent to a URL.
//
// Fault knobs (Fail429, InjectRateLimit — a 429 at the Nth request, with or
// without headers, Retry-After or a JSON body —, Fail5xx, Drop, ExpireTokens, RevokeRefreshTokens,
// FailBatchItem) let tests provoke the rest, and Requests records what the
// server received. Time comes from Options.Clock so tests can age tokens and
// roll windows without sleeping.
package hubspottest
