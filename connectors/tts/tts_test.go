package tts_test

import (
	"context"
	"os/exec"
	"testing"

	"github.com/caseyos/caseyos/connectors/tts"
	"github.com/caseyos/caseyos/connectors/tts/ttstest"
)

func TestSpeaker_Command(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed")
	}
	s, err := tts.New("en-us", 170)
	if err != nil {
		t.Fatal(err)
	}
	got := s.Command("Say confirm to send.")
	if len(got) != 7 || got[1] != "-v" || got[3] != "-s" || got[5] != "--" || got[6] != "Say confirm to send." {
		t.Errorf("Command = %q", got)
	}
	if err := s.Say(context.Background(), "ok"); err != nil {
		t.Fatal(err)
	}
	s.Wait()
}

func TestRecorder(t *testing.T) {
	r := &ttstest.Recorder{}
	r.Say(context.Background(), "a")
	r.Say(context.Background(), "b")
	if r.Last() != "b" || len(r.Lines()) != 2 {
		t.Errorf("Lines = %q", r.Lines())
	}
}
