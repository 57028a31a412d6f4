package main

import (
	"fmt"
	"regexp"
	"strings"
)

// describeRE splits `git describe --tags --always --dirty` output: a tag
// (optionally followed by -N-gHASH commits past it), or a bare hash;
// either may end in -dirty.
var describeRE = regexp.MustCompile(`^(?:(.+)-([0-9]+)-g([0-9a-f]+)|(.+?))(-dirty)?$`)

// hashRE is a bare abbreviated commit hash (no tag reachable).
var hashRE = regexp.MustCompile(`^[0-9a-f]{4,40}$`)

// debVersion maps git describe output to a Debian version (upstream part
// only, no revision) that sorts the way the commits do:
//
//	v1.2.3                  → 1.2.3
//	v1.2.3-4-gabc1234       → 1.2.3+4.gabc1234       (after 1.2.3)
//	v1.2.0-rc1              → 1.2.0~rc1              (before 1.2.0)
//	abc1234 (no tag), N     → 0~N.gabc1234           (before any tag; N = commits)
//	…-dirty                 → ….dirty / +dirty
//
// Characters Debian does not allow become '.'; a version that would not
// start with a digit gets a "0~" in front.
func debVersion(describe string, commits int) string {
	describe = strings.TrimSpace(describe)
	m := describeRE.FindStringSubmatch(describe)
	if m == nil || describe == "" {
		return "0~" + fmt.Sprint(commits)
	}
	tag, past, hash, bare, dirty := m[1], m[2], m[3], m[4], m[5] != ""
	var v string
	switch {
	case bare != "" && hashRE.MatchString(bare):
		v = fmt.Sprintf("0~%d.g%s", commits, bare)
		if dirty {
			v += ".dirty"
		}
		return v
	case bare != "":
		tag = bare
	}
	tag = strings.TrimPrefix(strings.TrimPrefix(tag, "v"), "V")
	// A semver pre-release (1.2.0-rc1) sorts before its release: ~.
	if i := strings.IndexByte(tag, '-'); i >= 0 {
		tag = tag[:i] + "~" + strings.ReplaceAll(tag[i+1:], "-", ".")
	}
	v = clean(tag)
	var meta []string
	if past != "" {
		meta = append(meta, past, "g"+hash)
	}
	if dirty {
		meta = append(meta, "dirty")
	}
	if len(meta) > 0 {
		v += "+" + strings.Join(meta, ".")
	}
	if v == "" || v[0] < '0' || v[0] > '9' {
		v = "0~" + v
	}
	return strings.TrimRight(v, "~.+")
}

// clean keeps what Debian allows in an upstream version without a
// revision (alphanumerics . + ~) and turns anything else into '.'.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '.', r == '+', r == '~':
			b.WriteRune(r)
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}

// bundleVersion is the macOS CFBundleShortVersionString: three numbers.
// A tag's numbers, else 0.0.commits.
func bundleVersion(describe string, commits int) string {
	v := debVersion(describe, commits)
	if strings.HasPrefix(v, "0~") {
		return fmt.Sprintf("0.0.%d", commits)
	}
	nums := regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}`).FindString(v)
	for strings.Count(nums, ".") < 2 {
		nums += ".0"
	}
	return nums
}
