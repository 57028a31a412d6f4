package app

import (
	"testing"

	"github.com/caseyos/caseyos/backend"
)

// The X watch list's terms are edited with the other settings: saved,
// read back, kept when absent, and a term X's search could not quote is
// refused.
func TestSettings_WatchList(t *testing.T) {
	e := newExecEnv(t)
	svc := e.app.bound.Settings
	in, err := svc.Settings()
	if err != nil {
		t.Fatal(err)
	}
	name := " PebbleCache "
	in.ProductName, in.ProductKeywords, in.Competitors = &name, []string{"remote build cache", " ", "bazel cache"}, []string{"Stackwise"}
	out, err := svc.SaveSettings(in)
	if err != nil {
		t.Fatal(err)
	}
	if out.ProductName == nil || *out.ProductName != "PebbleCache" || len(out.ProductKeywords) != 2 {
		t.Fatalf("saved product %v keywords %q, want PebbleCache and two keywords", out.ProductName, out.ProductKeywords)
	}
	w, err := backend.NewDirectory(e.app.store, nil).WatchList(e.app.ctx)
	if err != nil || w.Product != "PebbleCache" || len(w.Keywords) != 2 || len(w.Competitors) != 1 || w.Competitors[0] != "Stackwise" {
		t.Fatalf("watch list = %+v, %v", w, err)
	}
	out.ProductName, out.ProductKeywords = nil, nil
	if again, err := svc.SaveSettings(out); err != nil || *again.ProductName != "PebbleCache" || len(again.ProductKeywords) != 2 {
		t.Fatalf("saving without the fields = %+v, %v; want them kept", again, err)
	}
	out.ProductKeywords = []string{`cache" OR from:me`}
	if _, err := svc.SaveSettings(out); backend.ErrorCode(err) != backend.EINVALID {
		t.Errorf("a keyword with a quote = %v, want invalid", err)
	}
}
