package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/connectors/gcal"
	"github.com/caseyos/caseyos/connectors/gcal/gcaltest"
	"github.com/caseyos/caseyos/connectors/gmail"
	"github.com/caseyos/caseyos/connectors/gmail/gmailtest"
	"github.com/caseyos/caseyos/connectors/hubspot"
	"github.com/caseyos/caseyos/connectors/hubspot/hubspottest"
)

// demoFeed runs the demo's HubSpot, Gmail and Calendar as in-process fakes
// seeded for now, so that the demo workspace's vendor signals come through
// the real connectors: HubSpot first (the CRM), then mail and calendar,
// which find its contacts and deals through dir.
func demoFeed(clock backend.Clock) app.DemoFeed {
	return func(ctx context.Context, now time.Time, dir backend.Directory) ([]backend.Poller, []backend.Source, func(), error) {
		hs := hubspottest.New(hubspottest.Options{Clock: clock})
		hs.Seed(hubspottest.DemoSeed(now))
		hsURL, err := hs.Start("127.0.0.1:0")
		if err != nil {
			return nil, nil, nil, err
		}
		crm, err := hubspot.New(hubspot.Config{BaseURL: hsURL, Account: "demo-hubspot", Clock: clock,
			Credentials: hubspot.Credentials{Token: hs.Token()}, SearchLag: -1})
		if err != nil {
			hs.Close()
			return nil, nil, nil, err
		}

		mailFake := gmailtest.New(gmailtest.Options{Owner: demo.OwnerEmail, OwnerName: demo.OwnerName, Now: clock.Now})
		mailFake.DemoSeed(now)
		calFake := gcaltest.New(gcaltest.Options{Owner: demo.OwnerEmail, Now: clock.Now})
		calFake.DemoSeed(now)
		mux := http.NewServeMux()
		mux.Handle("/gmail/", mailFake.Handler())
		mux.Handle("/calendar/", calFake.Handler())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			hs.Close()
			return nil, nil, nil, err
		}
		google := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go google.Serve(ln)
		stop := func() { google.Close(); hs.Close() }
		base := "http://" + ln.Addr().String()
		// The fakes accept any bearer token; the demo has no Google grant.
		hc := &http.Client{Transport: bearer{"demo"}, Timeout: 30 * time.Second}
		mail, err := gmail.New(ctx, gmail.Config{HTTPClient: hc, BaseURL: base + "/", Account: "demo-gmail",
			Address: demo.OwnerEmail, FromName: demo.OwnerName, Clock: clock, Lookup: gmail.DirectoryLookup(dir)})
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		cal, err := gcal.New(ctx, gcal.Config{HTTPClient: hc, BaseURL: base + "/calendar/v3/", Account: "demo-gcal",
			Owner: demo.OwnerEmail, Clock: clock, Lookup: gcal.DirectoryLookup(dir)})
		if err != nil {
			stop()
			return nil, nil, nil, err
		}
		return []backend.Poller{crm, mail, cal},
			[]backend.Source{backend.SourceHubSpot, backend.SourceGmail, backend.SourceGCal}, stop, nil
	}
}

// bearer adds a token to every request, as oauth2's transport would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
