//go:build unix

package store

import (
	"os"
	"syscall"
)

// privateDir takes group and other access away from dir, the data
// directory, when it has any: MkdirAll makes a new one 0700 but leaves an
// existing one (made by hand, or under an older build) as it is. A
// directory someone else owns, or a shared sticky one such as /tmp, is
// not ours to change and is left alone.
func privateDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 || fi.Mode()&os.ModeSticky != 0 {
		return nil
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		return nil
	}
	return os.Chmod(dir, fi.Mode().Perm()&0o700)
}
