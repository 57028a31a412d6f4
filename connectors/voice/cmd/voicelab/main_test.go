package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// TestRun_Commands checks the command line without running anything
// long: make test builds voicelab through this test, so a training tool
// that no longer compiles against the connectors fails there.
func TestRun_Commands(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string // "" = none; "help" = flag.ErrHelp
		wantOut string
	}{
		{"NoCommand", nil, "help", ""},
		{"Help", []string{"help"}, "", "train"},
		{"Unknown", []string{"measure"}, `unknown command "measure"`, ""},
		{"TrainArgs", []string{"train", "extra"}, "train takes no arguments", ""},
		{"TrainFlag", []string{"train", "-nope"}, "flag provided but not defined", ""},
		{"DecoysArgs", []string{"decoys", "extra"}, "decoys takes no arguments", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, log bytes.Buffer
			err := dispatch(context.Background(), tt.args, &out, &log)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("dispatch(%q) = %v, want nil", tt.args, err)
			case tt.wantErr == "help" && !errors.Is(err, flag.ErrHelp):
				t.Fatalf("dispatch(%q) = %v, want flag.ErrHelp", tt.args, err)
			case tt.wantErr != "" && tt.wantErr != "help" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("dispatch(%q) = %v, want an error with %q", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("dispatch(%q) wrote %q, want %q in it", tt.args, out.String(), tt.wantOut)
			}
		})
	}
}
