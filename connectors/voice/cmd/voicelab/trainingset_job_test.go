package main

import (
	"os/exec"
	"slices"
	"strconv"
	"testing"
)

// TestTrainingJob_LowpassUnderNyquist draws many augmented copies of
// festival's ked clips, the recipe's 16 kHz voice, and runs sox on the
// slowest with the highest lowpass: sox refuses a lowpass over the Nyquist
// rate of the clip its speed effect resampled.
func TestTrainingJob_LowpassUnderNyquist(t *testing.T) {
	var slowest []string
	slowestSpeed := 2.0
	for i := range 5000 {
		for _, eff := range newTrainingJob(7, i, "skip", true, "ked:1.00", fullCounts).augs {
			k := slices.Index(eff, "lowpass")
			if k < 0 {
				continue
			}
			speed, _ := strconv.ParseFloat(eff[slices.Index(eff, "speed")+1], 64)
			hz, _ := strconv.Atoi(eff[k+1])
			if nyquist := 16000 * speed / 2; float64(hz) >= nyquist {
				t.Fatalf("%v: lowpass %d Hz over the %.0f Hz Nyquist rate after speed %.3f", eff, hz, nyquist, speed)
			}
			if speed < slowestSpeed {
				slowest, slowestSpeed = eff, speed
			}
		}
	}
	if slowest == nil {
		t.Fatal("no augmented copy with a lowpass")
	}
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox is not installed (make voice-deps)")
	}
	// The highest lowpass sox must take after the slowest speed.
	eff := slices.Clone(slowest)
	eff[slices.Index(eff, "lowpass")+1] = strconv.Itoa(maxLowpassAfter("ked:1.00", strconv.FormatFloat(minSpeed, 'f', 3, 64)))
	eff[slices.Index(eff, "speed")+1] = strconv.FormatFloat(minSpeed, 'f', 3, 64)
	dir := t.TempDir()
	in := dir + "/in.wav"
	if out, err := exec.Command("sox", "-n", "-r", "16000", "-c", "1", "-b", "16", in, "synth", "0.5", "sine", "440").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	args := append([]string{"-R", in, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", dir + "/out.raw"}, eff...)
	if out, err := exec.Command("sox", append(args, "rate", "16000")...).CombinedOutput(); err != nil {
		t.Fatalf("sox %v: %v: %s", args, err, out)
	}
}
