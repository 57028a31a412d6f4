package app

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

func TestReadOnlyFileMapping(t *testing.T) {
	for _, c := range []struct {
		line string
		ok   bool
	}{
		{"00400000-00426000 r--p 00000000 fe:00 10027685   /usr/bin/caseyos", true},
		{"7f6323200000-7f632997c000 r-xp 00000000 fe:00 325977  /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1", true},
		{"01d68000-01faf000 rw-p 01967000 fe:00 10027685   /usr/bin/caseyos", false}, // writable data
		{"7ffd5a3f0000-7ffd5a411000 rw-p 00000000 00:00 0  [stack]", false},
		{"7ffd5a5e0000-7ffd5a5e2000 r-xp 00000000 00:00 0  [vdso]", false},
		{"c000000000-c004000000 rw-p 00000000 00:00 0 ", false}, // the Go heap
		{"7f00-7e00 r--p 00000000 fe:00 1 /x", false},           // end before start
		{"garbage", false},
	} {
		if _, _, ok := readOnlyFileMapping(c.line); ok != c.ok {
			t.Errorf("readOnlyFileMapping(%q) = %v, want %v", c.line, ok, c.ok)
		}
	}
}

// TestPageOutFileMappings maps a file on disk, reads every page of it, and
// checks that paging out hands those pages back: the mapping's resident
// size falls, and reading it again still gives the file.
func TestPageOutFileMappings(t *testing.T) {
	path := diskFile(t, 8<<20)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const size = 8 << 20
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	sum := 0
	for i := 0; i < size; i += 4096 {
		sum += int(mem[i])
	}
	addr := uintptr(unsafe.Pointer(&mem[0]))
	before := mappingRss(t, addr)
	if before < 6<<20 {
		t.Fatalf("after reading all of it, %d KiB of the 8 MiB mapping are resident", before>>10)
	}
	n, err := pageOutFileMappings()
	if err != nil || n == 0 {
		t.Fatalf("pageOutFileMappings() = %d, %v", n, err)
	}
	after := mappingRss(t, addr)
	if after > before/4 {
		t.Errorf("resident: %d KiB before, %d KiB after paging out (want under a quarter)", before>>10, after>>10)
	}
	again := 0
	for i := 0; i < size; i += 4096 {
		again += int(mem[i])
	}
	if again != sum {
		t.Errorf("the file reads differently after paging out: %d, was %d", again, sum)
	}
	t.Logf("resident %d KiB → %d KiB", before>>10, after>>10)
}

// diskFile writes size bytes to a file whose pages can be paged out (not
// on tmpfs, whose pages have nowhere to go without swap).
func diskFile(t *testing.T, size int) string {
	t.Helper()
	dirs := []string{t.TempDir()}
	if d, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, ".")
	for _, dir := range dirs {
		var st syscall.Statfs_t
		if syscall.Statfs(dir, &st) != nil || st.Type == 0x01021994 { // TMPFS_MAGIC
			continue
		}
		f, err := os.CreateTemp(dir, "pageout-*")
		if err != nil {
			continue
		}
		t.Cleanup(func() { os.Remove(f.Name()) })
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i / 4096)
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return f.Name()
	}
	t.Fatalf("no directory off tmpfs among %s", strings.Join(dirs, ", "))
	return ""
}

// mappingRss is the resident size of the mapping that starts at addr.
func mappingRss(t *testing.T, addr uintptr) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := fmt.Sprintf("%x-", addr)
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "-") && !strings.Contains(line, ":") || strings.HasPrefix(line, want) {
			in = strings.HasPrefix(line, want)
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %x in /proc/self/smaps (%s)", addr, filepath.Base(want))
	return 0
}
