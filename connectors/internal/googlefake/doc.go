// Package googlefake is what the Google fakes (gmailtest, gcaltest and the
// OAuth fake googletest) share: serving on an address or an httptest
// server, Google's bearer-token check and error JSON, the record of calls
// served, and faults (usage limits, server errors, bodies that are not
// JSON) injected into an API fake. It lives under connectors/internal so
// that only one vendor's fakes share it.
package googlefake
