package main

import (
	"os/exec"
	"regexp"
	"testing"
)

// validUpstream is Debian policy 5.6.12's upstream_version without a
// revision or epoch: a digit first, then alphanumerics . + ~.
var validUpstream = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

func TestDebVersion_MapsGitDescribe(t *testing.T) {
	for _, tc := range []struct {
		describe string
		commits  int
		want     string
	}{
		{"bce5e33", 1234, "0~1234.gbce5e33"},
		{"bce5e33-dirty", 1234, "0~1234.gbce5e33.dirty"},
		{"v1.2.3", 9, "1.2.3"},
		{"1.2.3", 9, "1.2.3"},
		{"v1.2.3-dirty", 9, "1.2.3+dirty"},
		{"v1.2.3-4-gabc1234", 9, "1.2.3+4.gabc1234"},
		{"v1.2.3-4-gabc1234-dirty", 9, "1.2.3+4.gabc1234.dirty"},
		{"v1.2.0-rc1", 9, "1.2.0~rc1"},
		{"v1.2.0-rc.1-3-gabc1234", 9, "1.2.0~rc.1+3.gabc1234"},
		{"release_2024/01", 9, "0~release.2024.01"},
		{"dev", 0, "0~dev"},
		{"", 5, "0~5"},
		{"  v2.0.0\n", 1, "2.0.0"},
	} {
		got := debVersion(tc.describe, tc.commits)
		if got != tc.want {
			t.Errorf("debVersion(%q, %d) = %q, want %q", tc.describe, tc.commits, got, tc.want)
		}
		if !validUpstream.MatchString(got) {
			t.Errorf("debVersion(%q) = %q is not a valid Debian upstream version", tc.describe, got)
		}
	}
}

// Later commits must install over earlier ones: dpkg's own ordering.
func TestDebVersion_SortsAsTheCommitsDo(t *testing.T) {
	dpkg, err := exec.LookPath("dpkg")
	if err != nil {
		t.Skip("dpkg is not installed")
	}
	order := []string{
		debVersion("aaaaaaa", 10),
		debVersion("0000000", 11),
		debVersion("v0.9.0", 0),
		debVersion("v1.0.0-rc1", 0),
		debVersion("v1.0.0-rc1-2-gabcdef0", 0),
		debVersion("v1.0.0", 0),
		debVersion("v1.0.0-1-gabcdef0", 0),
		debVersion("v1.0.0-2-g0123456", 0),
		debVersion("v1.0.1", 0),
	}
	for i := 1; i < len(order); i++ {
		if err := exec.Command(dpkg, "--compare-versions", order[i-1], "lt", order[i]).Run(); err != nil {
			t.Errorf("dpkg: %s is not before %s", order[i-1], order[i])
		}
	}
}

func TestBundleVersion_IsThreeNumbers(t *testing.T) {
	for describe, want := range map[string]string{"bce5e33": "0.0.7", "v1.2.3-4-gabc1234": "1.2.3", "v2": "2.0.0", "v1.5-rc1": "1.5.0"} {
		if got := bundleVersion(describe, 7); got != want {
			t.Errorf("bundleVersion(%q, 7) = %q, want %q", describe, got, want)
		}
	}
}
