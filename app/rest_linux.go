package app

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// madvise advice: MADV_RANDOM (no readahead: a page faulted in later
// comes alone, not in a large folio of its neighbours) and MADV_PAGEOUT
// (Linux 5.4: reclaim these pages now).
const (
	madvRandom  = 1
	madvPageout = 21
)

// pageOutFileMappings hands back the resident pages of this process's
// read-only file mappings — its own code and constant data and its
// libraries' — that no other process maps. What starting up touched once
// (the libraries' relocations and initialisers, code run once) stays
// resident otherwise, all day; it is what Android does to a cached
// background app. Pages used again come back on their next touch, from
// the page cache or the file; writable and anonymous memory (the heap) is
// left alone. It returns how many mappings were advised.
func pageOutFileMappings() (int, error) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, ok := readOnlyFileMapping(sc.Text())
		if !ok {
			continue
		}
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvRandom)
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, start, end-start, madvPageout); e != 0 {
			if e == syscall.EINVAL {
				// A kernel before 5.4: nothing to do.
				return n, nil
			}
			continue
		}
		n++
	}
	return n, sc.Err()
}

// readOnlyFileMapping parses one line of /proc/self/maps ("start-end perms
// offset dev inode path") and says whether it maps a file read-only.
func readOnlyFileMapping(line string) (start, end uintptr, ok bool) {
	f := strings.Fields(line)
	if len(f) < 6 || len(f[1]) < 4 || f[1][1] == 'w' || f[4] == "0" || !strings.HasPrefix(f[5], "/") {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(f[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
