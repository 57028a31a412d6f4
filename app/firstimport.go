package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/caseyos/caseyos/backend"
)

// importPrefix starts the name of the file a first import writes until
// its first batch is stored: caseyos.db.import-PID.
const importPrefix = RealFile + ".import-"

// FirstImportsRename says whether a first import can write under a
// temporary name and name the open file caseyos.db later. Unix can (the
// open file descriptor follows the file); Windows cannot link or rename a
// file bbolt holds open and mapped, so there the import writes caseyos.db
// directly and removes it afterwards when it stored nothing — which a
// crash in between does not do.
const FirstImportsRename = runtime.GOOS != "windows"

// FirstImport is the data file of an import that creates your workspace.
// It is written as caseyos.db.import-PID and linked to caseyos.db right
// after the first batch that stored a signal commits, so that an import
// killed before that leaves no caseyos.db to hide the demo;
// removeAbandonedImports clears what it wrote at the next start.
type FirstImport struct {
	real, tmp string
	published bool
}

func NewFirstImport(real string) *FirstImport {
	f := &FirstImport{real: real, tmp: real + ".import-" + strconv.Itoa(os.Getpid())}
	_ = os.Remove(f.tmp) // left by an earlier process that had this pid
	return f
}

// Open opens the temporary file in place of caseyos.db.
func (f *FirstImport) Open(open OpenFunc) OpenFunc {
	return func(path string) (backend.Store, error) {
		if path == f.real {
			path = f.tmp
		}
		return open(path)
	}
}

// Publish names the file caseyos.db, once. A hard link never replaces a
// caseyos.db another command created meanwhile (connect, another import).
func (f *FirstImport) Publish() error {
	if f.published {
		return nil
	}
	err := os.Link(f.tmp, f.real)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links on this file system: rename, which keeps the open
		// file too, unless caseyos.db appeared meanwhile.
		if _, serr := os.Lstat(f.real); serr != nil && errors.Is(serr, fs.ErrNotExist) {
			err = os.Rename(f.tmp, f.real)
		} else {
			err = fs.ErrExist
		}
	}
	if errors.Is(err, fs.ErrExist) {
		return &backend.Error{Code: backend.ECONFLICT, Op: "ingest", Err: err,
			Message: fmt.Sprintf("%s was created by another command during this import: run the import again (what it stores is recognized)", filepath.Base(f.real))}
	}
	if err != nil {
		return &backend.Error{Code: backend.EINTERNAL, Op: "ingest", Message: "cannot create " + f.real, Err: err}
	}
	f.published = true
	_ = os.Remove(f.tmp) // after a rename, already gone
	return nil
}

// Finish removes the temporary file of an import that stored nothing.
func (f *FirstImport) Finish() {
	if !f.published {
		_ = os.Remove(f.tmp)
	}
}

// removeAbandonedImports removes the files of first imports that were
// killed before they stored anything (their process is gone), or between
// naming caseyos.db and dropping the temporary name (a second name of the
// same file). A running import's file is left alone.
func removeAbandonedImports(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(strings.TrimPrefix(e.Name(), importPrefix))
		if !strings.HasPrefix(e.Name(), importPrefix) || err != nil || pid <= 0 {
			continue
		}
		if pid == os.Getpid() || processAlive(pid) {
			continue
		}
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
}
