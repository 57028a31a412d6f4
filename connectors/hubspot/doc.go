// Package hubspot connects CaseyOS to a HubSpot account over its REST API
// (net/http; no HubSpot Go client is served here).
//
// A Client is the account's backend.Poller (contacts, deals with their
// pipelines and stage history, and form submissions become signals, with
// contact, company and deal snapshots so the store mirrors amounts, stages
// and ICP fields; the tasks CaseyOS created, once completed, become
// task.completed signals) and its backend.CRM (tasks, deal stages, contact merges).
// It authenticates with a private-app token or OAuth 2.0 (Authorize runs the
// PKCE loopback flow; access tokens are refreshed before expiry and once on
// a 401, and the refreshed credentials are saved through backend.Secrets).
//
// Errors are mapped at the boundary: 401 and revoked grants → unauthorized,
// 429 (ten-second window or daily limit), 5xx and network failures →
// unavailable with a wait that backend.RetryAfter returns, 404 →
// not_found, 207 partial batches → a *BatchError naming each failed item.
// Tokens never appear in errors.
//
// Webhooks: VerifySignatureV3, ParseWebhook and WebhookHandler accept
// HubSpot's v3-signed webhook batches. hubspottest holds the fake the
// tests and the demo workspace run against.
package hubspot
