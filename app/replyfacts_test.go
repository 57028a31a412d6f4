package app

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/backend/demo"
	"github.com/caseyos/caseyos/store"
)

// The price list and the facts list are edited in Settings: they are empty
// in a new workspace, round-trip through SaveSettings (trimmed), and a bad
// one is refused with a message that names it.
func TestSettingsService_ReplyFacts(t *testing.T) {
	e := newExecEnv(t)
	svc := e.app.bound.Settings
	got, err := svc.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pricing.Tiers) != 0 || len(got.Facts) != 0 || got.Pricing.Tiers == nil || got.Facts == nil {
		t.Fatalf("Settings() of a new workspace has pricing %+v and facts %+v, want empty lists", got.Pricing, got.Facts)
	}
	in := got
	in.Pricing = &PricingDTO{Currency: " usd ", Tiers: []PriceTierDTO{{Name: "Team", MinSeats: 1, MaxSeats: 50, SeatPrice: 25}, {Name: "Scale", MinSeats: 51, SeatPrice: 20}}}
	in.Facts = []FactDTO{{Topic: "security", Keywords: []string{" sso ", ""}, Text: " SSO comes with every plan.\n"}}
	saved, err := svc.SaveSettings(in)
	if err != nil {
		t.Fatal(err)
	}
	wantP := &PricingDTO{Currency: "USD", Tiers: in.Pricing.Tiers}
	wantF := []FactDTO{{Topic: "security", Keywords: []string{"sso"}, Text: "SSO comes with every plan."}}
	if !reflect.DeepEqual(saved.Pricing, wantP) || !reflect.DeepEqual(saved.Facts, wantF) {
		t.Errorf("SaveSettings() = %+v, %+v; want %+v, %+v", saved.Pricing, saved.Facts, wantP, wantF)
	}

	bad := saved
	bad.Facts = append(bad.Facts, FactDTO{Topic: "compliance", Text: "  "})
	_, err = svc.SaveSettings(bad)
	if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "fact 2 (compliance) has no text") {
		t.Errorf("SaveSettings(empty fact) = %v, want invalid naming fact 2", err)
	}
	bad = saved
	bad.Pricing = &PricingDTO{Currency: "USD", Tiers: []PriceTierDTO{{Name: "Team", MinSeats: 1, SeatPrice: -1}}}
	_, err = svc.SaveSettings(bad)
	if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err), "seat price must be zero or more") {
		t.Errorf("SaveSettings(negative price) = %v, want invalid", err)
	}
	if again, _ := svc.Settings(); !reflect.DeepEqual(again.Facts, wantF) {
		t.Errorf("after refused saves Settings().Facts = %+v, want %+v", again.Facts, wantF)
	}
	// A caller that sends neither (an older client) keeps both.
	keep := saved
	keep.Pricing, keep.Facts = nil, nil
	if again, err := svc.SaveSettings(keep); err != nil || !reflect.DeepEqual(again.Pricing, wantP) || !reflect.DeepEqual(again.Facts, wantF) {
		t.Errorf("SaveSettings(without pricing and facts) = %+v, %+v, %v; want them kept", again.Pricing, again.Facts, err)
	}
}

// The demo workspace answers from Pebblecache's price list and facts; a
// real workspace starts with neither.
func TestOpenWorkspace_ReplyFacts(t *testing.T) {
	dir := t.TempDir()
	open := func(p string) (backend.Store, error) { return store.Open(p, store.Options{}) }
	for _, ws := range []Workspace{{Dir: dir, Path: filepath.Join(dir, "demo.db"), Demo: true}, {Dir: dir, Path: filepath.Join(dir, "real.db")}} {
		st, err := OpenWorkspace(t.Context(), ws, open, backend.SystemClock{})
		if err != nil {
			t.Fatal(err)
		}
		var s *backend.Settings
		if err := st.View(t.Context(), func(tx backend.Tx) error { s, err = tx.Settings(); return err }); err != nil {
			t.Fatal(err)
		}
		st.Close()
		if ws.Demo && (!reflect.DeepEqual(s.Pricing, demo.Pricing()) || !reflect.DeepEqual(s.Facts, demo.Facts())) {
			t.Errorf("demo workspace settings: pricing %+v, %d facts; want the demo's", s.Pricing, len(s.Facts))
		}
		if !ws.Demo && (len(s.Pricing.Tiers) != 0 || len(s.Facts) != 0) {
			t.Errorf("real workspace settings: pricing %+v, facts %+v; want none", s.Pricing, s.Facts)
		}
	}
}
