package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/x/xtest"
)

// TestDemoAccountsServeX: the demo's accounts include its fake X, where the
// demo app's token reads @pebblecache's mentions — @devjess's among them —
// so the connector can execute the demo's mention moves there.
func TestDemoAccountsServeX(t *testing.T) {
	clock := backend.NewManualClock(time.Now().Truncate(time.Second))
	_, endpoints, stop, err := demoAccounts(clock)(context.Background(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	base := endpoints["x"]
	if base == "" {
		t.Fatalf("endpoints = %v, want the fake X's", endpoints)
	}
	c := oauth1.NewConfig(xtest.DemoConsumerKey, xtest.DemoConsumerSecret).Client(context.Background(),
		oauth1.NewToken(xtest.DemoAccessToken, xtest.DemoAccessSecret))
	resp, err := c.Get(base + "/2/users/" + xtest.DemoUserID + "/mentions?expansions=author_id")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var page struct {
		Data     []struct{ ID string }
		Includes struct{ Users []struct{ Username string } }
	}
	json.Unmarshal(body, &page)
	found := false
	for _, d := range page.Data {
		found = found || d.ID == xtest.DemoDevJessMention
	}
	if resp.StatusCode != http.StatusOK || !found {
		t.Errorf("mentions on the demo's X = %d %s, want @devjess's mention", resp.StatusCode, body)
	}
}
