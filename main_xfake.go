package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// startDemoX serves the demo's X — @pebblecache with the scenario's
// mentions and competitor posts — on a loopback port, as it was at
// seededAt. Its app and token are xtest's Demo* constants.
func startDemoX(clock backend.Clock, seededAt time.Time) (*xtest.Server, string, error) {
	srv := xtest.New(xtest.Options{Clock: clock})
	srv.DemoSeed(seededAt)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	return srv, url, nil
}

// fakeX serves xtest's fake X seeded with the demo's posts, for
// `caseyos dev fake-x`; the browser's authorize page approves as the demo
// account, and the app's credentials are printed.
func fakeX(clock backend.Clock) cli.Fake {
	return func(ctx context.Context, addr string) (string, func(), error) {
		srv := xtest.New(xtest.Options{Clock: clock, AuthorizeAs: xtest.DemoUserID})
		srv.DemoSeed(clock.Now())
		url, err := srv.Start(addr)
		if err != nil {
			return "", nil, backend.Errorf(backend.EUNAVAILABLE, "the fake X cannot listen on %s", addr)
		}
		fmt.Fprintf(os.Stderr, "fake X consumer key: %s (secret on stdin: %s)\naccess token: %s (secret: %s)\nCASEYOS_X_BASE_URL=%s\n",
			xtest.DemoConsumerKey, xtest.DemoConsumerSecret, xtest.DemoAccessToken, xtest.DemoAccessSecret, url)
		return url, srv.Close, nil
	}
}
