// Command package packs the built caseyos binary for installing: a .deb
// on Linux (with github.com/goreleaser/nfpm/v2), a CaseyOS.app bundle on
// macOS. `make package` runs it (build/package.mk).
//
// It is a module of its own so that nfpm and what it needs stay out of
// the app's go.mod: nothing here is linked into caseyos.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	format := "deb"
	if runtime.GOOS == "darwin" {
		format = "app"
	}
	var (
		bin      = flag.String("bin", "", "the built desktop binary")
		models   = flag.String("models", "", "the keyword classifier's model directory (make voice-models)")
		icon     = flag.String("icon", "", "the app icon, a square PNG of at least 512 px")
		plist    = flag.String("plist", "", "the Info.plist template (.app only)")
		describe = flag.String("describe", "", "git describe --tags --always --dirty")
		commits  = flag.Int("commits", 0, "git rev-list --count HEAD")
		arch     = flag.String("arch", runtime.GOARCH, "the binary's GOARCH")
		out      = flag.String("out", "build", "the directory the package goes to")
		mtime    = flag.Int64("mtime", 0, "every file's time in the .deb, Unix seconds (git log -1 --format=%ct); 0 = now")
	)
	flag.StringVar(&format, "format", format, "deb or app")
	flag.Parse()
	if *bin == "" || *models == "" || *icon == "" {
		fmt.Fprintln(os.Stderr, "package: -bin, -models and -icon are required")
		os.Exit(2)
	}
	var path string
	var err error
	switch format {
	case "deb":
		var deps []string
		if deps, err = elfDepends(*bin); err == nil {
			t := time.Now()
			if *mtime > 0 {
				t = time.Unix(*mtime, 0)
			}
			path, err = buildDeb(debSpec{Bin: *bin, Models: *models, Icon: *icon, Version: debVersion(*describe, *commits),
				Arch: *arch, Depends: deps, MTime: t, Out: *out})
		}
	case "app":
		if *plist == "" {
			err = fmt.Errorf("-plist is required for the .app")
			break
		}
		path, err = buildApp(appSpec{Bin: *bin, Models: *models, Icon: *icon, Plist: *plist,
			Version: bundleVersion(*describe, *commits), Out: *out})
	default:
		err = fmt.Errorf("-format %q: deb or app", format)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "package:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
