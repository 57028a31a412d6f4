package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseyos/caseyos/backend"
)

// Backups are the CLI's alone (`caseyos backup FILE`). There is no Backup
// method: Wails binds every exported method of a bound service and the API
// serves them, and a method that writes a file the caller names would let a page
// holding the token overwrite anything the user can write. The CLI writes
// the copy itself, into a new file only. When a running instance holds the
// data file, the CLI reads the copy from it through POST /api/backup (the
// token in the Authorization header) and still writes the file itself.

// backupSourceHeader names the data file a streamed backup copies.
const backupSourceHeader = "X-CaseyOS-Source"

// backup writes a consistent copy of the open workspace to path, a new
// file (0600), while the App keeps running.
func (a *App) backup(path string) (BackupDTO, error) {
	if strings.TrimSpace(path) == "" {
		return BackupDTO{}, backend.Errorf(backend.EINVALID, "backup needs a file name")
	}
	if sameFile(path, a.ws.Path) {
		return BackupDTO{}, backend.Errorf(backend.EINVALID, "the backup cannot overwrite the live data file %s", a.ws.Path)
	}
	n, err := writeNewFile(path, func(w io.Writer) (int64, error) { return a.store.Backup(a.ctx, w) })
	if err != nil {
		return BackupDTO{}, err
	}
	return BackupDTO{Path: path, Source: a.ws.Path, Bytes: n}, nil
}

// Backup asks the instance for the copy and writes it to path, a new file.
func (r *Instance) Backup(path string) (BackupDTO, error) {
	if strings.TrimSpace(path) == "" {
		return BackupDTO{}, backend.Errorf(backend.EINVALID, "backup needs a file name")
	}
	if sameFile(path, r.ws.Path) {
		return BackupDTO{}, backend.Errorf(backend.EINVALID, "the backup cannot overwrite the live data file %s", r.ws.Path)
	}
	if err := refuseExisting(path); err != nil {
		return BackupDTO{}, err // before asking for a copy that cannot be kept
	}
	req, err := http.NewRequest(http.MethodPost, r.base+"api/backup", nil)
	if err != nil {
		return BackupDTO{}, err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, cancel, err := r.do(req, "backup")
	if err != nil {
		return BackupDTO{}, &backend.Error{Code: backend.EUNAVAILABLE, Message: "the running CaseyOS did not answer", Err: err}
	}
	defer cancel()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return BackupDTO{}, remoteError(resp)
	}
	n, err := writeNewFile(path, func(w io.Writer) (int64, error) { return io.Copy(w, resp.Body) })
	if err != nil {
		return BackupDTO{}, err
	}
	return BackupDTO{Path: path, Source: resp.Header.Get(backupSourceHeader), Bytes: n}, nil
}

// backupStream answers POST /api/backup with a consistent copy of the data
// file. It writes no file. A read transaction stays open while the copy
// is sent, so a client that stops reading is cut after a while, and a copy
// that fails midway ends the connection: the client sees a cut stream,
// never a short copy that looks complete.
func (s *apiServer) backupStream(w http.ResponseWriter, r *http.Request) {
	// The token only in the header: this is for the CLI, not for links.
	got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if got == "" || !s.tokenIs(got) {
		writeError(w, backend.Errorf(backend.EUNAUTHORIZED, "a backup needs the instance's token in the Authorization header"))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, ErrorDTO{Code: backend.EINVALID, Message: "a backup is a POST request"})
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(backupSourceHeader, s.app.ws.Path)
	out := &deadlineWriter{w: w, rc: rc, idle: 30 * time.Second}
	if _, err := s.app.store.Backup(r.Context(), out); err != nil {
		if out.n == 0 {
			writeError(w, err)
			return
		}
		panic(http.ErrAbortHandler)
	}
}

// deadlineWriter extends the connection's write deadline before each write.
type deadlineWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration
	n    int64
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.idle))
	n, err := d.w.Write(p)
	d.n += int64(n)
	return n, err
}

// refuseExisting fails with conflict when something, even a dangling
// symlink, is at path.
func refuseExisting(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return backend.Errorf(backend.ECONFLICT, "%s already exists: CaseyOS never overwrites a file it writes (a backup, an export), name a new one", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return &backend.Error{Code: backend.EINVALID, Message: fmt.Sprintf("cannot write the backup to %s", path), Err: err}
	}
	return nil
}

// writeNewFile creates path (0600) holding what write writes, and never
// replaces a file already there: the copy goes to a temporary file in the
// same directory, synced, then is linked to path, which fails if path
// exists. Where the file system has no hard links, path is created
// exclusively and the copy moved into it. Nothing is left behind on
// failure.
func writeNewFile(path string, write func(io.Writer) (int64, error)) (n int64, err error) {
	if err := refuseExisting(path); err != nil {
		return 0, err
	}
	failed := func(err error) error {
		return &backend.Error{Code: backend.EINTERNAL, Message: fmt.Sprintf("the backup %s could not be written", path), Err: err}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, failed(err)
	}
	defer os.Remove(tmp.Name())
	if n, err = write(tmp); err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if backend.ErrorCode(err) != backend.EINTERNAL {
			return 0, err
		}
		return 0, failed(err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, refuseExisting(path)
		}
		if err := copyToNewFile(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return 0, refuseExisting(path)
			}
			return 0, failed(err)
		}
	}
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		_ = d.Sync() // best effort: not every platform syncs directories
		_ = d.Close()
	}
	return n, nil
}

// copyToNewFile copies src to dst, created exclusively (0600); a failed
// copy removes dst.
func copyToNewFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(dst)
		}
	}()
	if _, err = io.Copy(out, in); err != nil {
		return err
	}
	return out.Sync()
}

// sameFile reports whether a and b name the same file, by path or, when
// both exist, by identity (hard links, symlinks).
func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	ab, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == ab {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// RefuseExisting fails with conflict when something is at path: what the
// CLI writes (a backup, an export) never replaces a file.
func RefuseExisting(path string) error { return refuseExisting(path) }

// WriteNewFile writes path (0600) through a synced temporary file and
// never replaces a file already there (writeNewFile).
func WriteNewFile(path string, write func(io.Writer) (int64, error)) (int64, error) {
	return writeNewFile(path, write)
}
