// Package googleapi is the request loop the Google connectors (gmail, gcal)
// share: pacing through a backend.RateLimiter, telling Google's usage limits
// (a 429, a rate-limit or quota 403, the daily limit) apart as a
// backend.RateLimited, retrying brief limits and idempotent 5xx inside the
// request, and mapping every other answer to a backend.Error code (401 and
// refused permissions → unauthorized, 5xx and the network → unavailable,
// 404 → not_found).
//
// It lives under connectors/internal so that only the connectors of one
// vendor share it; it knows nothing of a particular API's methods or types.
package googleapi
