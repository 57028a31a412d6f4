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
	"github.com/caseyos/caseyos/connectors/x"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// The demo workspace runs on in-process fakes of HubSpot, Gmail,
// Calendar and X seeded with the demo's records: its signals come in through the
// real connectors (demoFeed), and its moves go out through them to the same
// fakes (demoAccounts), so the demo can be tried for real and nothing
// leaves the machine.

// demoFakes is one running set of the demo's fake accounts and the real
// clients over them.
type demoFakes struct {
	crm      *hubspot.Client
	mail     *gmail.Client
	cal      *gcal.Client
	social   *x.Client
	hubspot  string // base URLs
	google   string
	x        string
	shutdown func()
}

// startDemoFakes seeds the fakes as the demo is at seededAt. dir ties mail
// and meetings to the CRM's records (nil: nobody is known).
func startDemoFakes(ctx context.Context, clock backend.Clock, seededAt time.Time, account string, dir backend.Directory) (*demoFakes, error) {
	hs := hubspottest.New(hubspottest.Options{Clock: clock})
	hs.Seed(hubspottest.DemoSeed(seededAt))
	hsURL, err := hs.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mailFake := gmailtest.New(gmailtest.Options{Owner: demo.OwnerEmail, OwnerName: demo.OwnerName, Now: clock.Now})
	mailFake.DemoSeed(seededAt)
	calFake := gcaltest.New(gcaltest.Options{Owner: demo.OwnerEmail, Now: clock.Now})
	calFake.DemoSeed(seededAt)
	mux := http.NewServeMux()
	mux.Handle("/gmail/", mailFake.Handler())
	mux.Handle("/upload/gmail/", mailFake.Handler())
	mux.Handle("/calendar/", calFake.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		hs.Close()
		return nil, err
	}
	google := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go google.Serve(ln)
	xFake, xURL, err := startDemoX(clock, seededAt)
	if err != nil {
		google.Close()
		hs.Close()
		return nil, err
	}
	f := &demoFakes{hubspot: hsURL, google: "http://" + ln.Addr().String(), x: xURL,
		shutdown: func() { google.Close(); hs.Close(); xFake.Close() }}

	f.crm, err = hubspot.New(hubspot.Config{BaseURL: hsURL, Account: account + "hubspot", Clock: clock,
		Credentials: hubspot.Credentials{Token: hs.Token()}, SearchLag: -1})
	if err == nil {
		// The fakes take any bearer token; the demo has no Google grant.
		hc := &http.Client{Transport: bearer{"demo"}, Timeout: 30 * time.Second}
		f.mail, err = gmail.New(ctx, gmail.Config{HTTPClient: hc, BaseURL: f.google + "/", Account: account + "gmail",
			Address: demo.OwnerEmail, FromName: demo.OwnerName, Clock: clock, Directory: dir})
		if err == nil {
			f.cal, err = gcal.New(ctx, gcal.Config{HTTPClient: hc, BaseURL: f.google + "/calendar/v3/", Account: account + "gcal",
				Owner: demo.OwnerEmail, Clock: clock, Directory: dir})
		}
		if err == nil {
			// The demo app's own keys and token, signed like any X app's.
			f.social, err = x.New(x.Config{BaseURL: xURL, Account: account + "x", Clock: clock, Directory: dir,
				Credentials: x.Credentials{ConsumerKey: xtest.DemoConsumerKey, ConsumerSecret: xtest.DemoConsumerSecret,
					Token: xtest.DemoAccessToken, TokenSecret: xtest.DemoAccessSecret, UserID: xtest.DemoUserID, Username: xtest.DemoUsername}})
		}
	}
	if err != nil {
		f.shutdown()
		return nil, err
	}
	return f, nil
}

// demoFeed brings the demo's vendor signals in through the connectors:
// HubSpot first (the CRM), then mail and calendar, which find its contacts
// and deals through dir.
func demoFeed(clock backend.Clock) app.DemoFeed {
	return func(ctx context.Context, now time.Time, dir backend.Directory) ([]backend.Poller, []backend.Source, func(), error) {
		f, err := startDemoFakes(ctx, clock, now, "demo-", dir)
		if err != nil {
			return nil, nil, nil, err
		}
		return []backend.Poller{f.crm, f.mail, f.cal},
			[]backend.Source{backend.SourceHubSpot, backend.SourceGmail, backend.SourceGCal}, f.shutdown, nil
	}
}

// demoAccounts lets the demo's moves execute: the same fakes, seeded as the
// demo was, are the Mailbox, Calendar, CRM and X.
func demoAccounts(clock backend.Clock) app.DemoAccounts {
	return func(ctx context.Context, seededAt time.Time) (backend.Capabilities, map[string]string, func(), error) {
		f, err := startDemoFakes(ctx, clock, seededAt, "demo-", nil)
		if err != nil {
			return backend.Capabilities{}, nil, nil, err
		}
		caps := backend.Capabilities{Mailbox: f.mail, Calendar: f.cal, CRM: f.crm, Social: f.social}
		endpoints := map[string]string{"gmail": f.google + "/", "gcal": f.google + "/calendar/v3/", "hubspot": f.hubspot, "x": f.x}
		return caps, endpoints, f.shutdown, nil
	}
}

// bearer adds a token to every request, as oauth2's transport would.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
