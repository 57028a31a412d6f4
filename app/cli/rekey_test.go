package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseyos/caseyos/app"
	"github.com/caseyos/caseyos/app/cli"
	"github.com/caseyos/caseyos/backend"
	"github.com/caseyos/caseyos/connectors/keychain"
	"github.com/caseyos/caseyos/store"
)

// The audit key, kept in the keychain, is lost (the keychain was reset):
// every audited write is refused, naming `caseyos audit --rekey`; after it
// the workspace works again and --verify reports what cannot be verified.
func TestCLI_AuditRekey(t *testing.T) {
	dir := t.TempDir()
	clock := backend.NewManualClock(now)
	kc := keychain.NewMock()
	run := func(stdin string, args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := cli.Main(context.Background(), append([]string{"--data-dir", dir}, args...), cli.Env{
			Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: clock, Secrets: kc,
			Open: func(p string) (backend.Store, error) {
				return store.Open(p, store.Options{Timeout: 200 * time.Millisecond, Secrets: kc})
			},
		})
		return code, out.String(), errb.String()
	}
	code, out, errb := run("", "today", "--json", "--limit", "50")
	var today app.TodayDTO
	if err := json.Unmarshal([]byte(out), &today); err != nil || code != 0 || len(today.Moves) < 3 {
		t.Fatalf("today = %d %s %s", code, out, errb)
	}
	ids := []uint64{today.Moves[0].ID, today.Moves[1].ID, today.Moves[2].ID}
	if code, _, errb := run("", "skip", itoa(ids[0])); code != 0 {
		t.Fatalf("skip = %d %s", code, errb)
	}
	_, out, _ = run("", "audit", "--verify", "--json")
	var chk app.AuditCheckDTO
	if err := json.Unmarshal([]byte(out), &chk); err != nil || !chk.OK || chk.Status != "ok" || chk.KeyID == "" {
		t.Fatalf("audit --verify --json = %s; want OK with the key's ID", out)
	}
	lostKey, entries := chk.KeyID, chk.Entries
	if _, err := kc.Get(store.AuditKeyAccount); err != nil {
		t.Fatalf("the audit key is not in the keychain: %v", err)
	}

	// The keychain is reset.
	kc.Delete(store.AuditKeyAccount)
	kc.Delete(store.AuditKeyAccount + "-" + lostKey)
	code, _, errb = run("", "skip", itoa(ids[1]))
	if code != cli.ExitError || !strings.Contains(errb, "caseyos audit --rekey") || !strings.Contains(errb, lostKey) {
		t.Fatalf("skip without the audit key = %d %q; want it refused, naming the key and `caseyos audit --rekey`", code, errb)
	}
	if code, _, errb := run("", "kill-switch", "on"); code != cli.ExitError || !strings.Contains(errb, "caseyos audit --rekey") {
		t.Errorf("kill-switch on without the audit key = %d %q; want it refused, naming `caseyos audit --rekey`", code, errb)
	}
	code, out, _ = run("n\n", "audit", "--rekey")
	if code != cli.ExitError || !strings.Contains(out, "can no longer be proven untampered") || !strings.Contains(out, "Not replaced") {
		t.Errorf("audit --rekey answered no = %d %q; want the warning, then nothing replaced", code, out)
	}
	if code, _, _ := run("", "skip", itoa(ids[1])); code == 0 {
		t.Fatalf("skip worked after the rekey was declined")
	}
	code, out, errb = run("", "audit", "--rekey", "--yes")
	if code != 0 || !strings.Contains(out, "can no longer be proven untampered") || !strings.Contains(out, "Audit key replaced") || !strings.Contains(out, lostKey) {
		t.Fatalf("audit --rekey --yes = %d %q %q; want the key replaced, saying what is given up", code, out, errb)
	}
	if code, _, errb := run("", "skip", itoa(ids[1])); code != 0 {
		t.Fatalf("skip after the rekey = %d %s", code, errb)
	}
	if code, _, errb := run("", "kill-switch", "on"); code != 0 {
		t.Fatalf("kill-switch on after the rekey = %d %s", code, errb)
	}
	if code, _, errb := run("", "audit", "--rekey", "--yes"); code != cli.ExitError || !strings.Contains(errb, "nothing to replace") {
		t.Errorf("a second audit --rekey = %d %q; want it refused: the key is here", code, errb)
	}

	// The replacement is in the log, and verify always reports it.
	_, out, _ = run("", "audit")
	if !strings.Contains(out, backend.AuditKeyReplaced) || !strings.Contains(out, lostKey) {
		t.Errorf("audit = %q; want the %s entry naming %s", out, backend.AuditKeyReplaced, lostKey)
	}
	code, out, errb = run("", "audit", "--verify")
	want := "entries 1–" + itoa(uint64(entries)) + " were signed with key " + lostKey
	if code != cli.ExitError || strings.Contains(out, "Audit log OK") || !strings.Contains(out, "PARTLY UNVERIFIABLE") ||
		!strings.Contains(out, want) || !strings.Contains(out, "because it was lost; they cannot be verified") || !strings.Contains(errb, "--accept-rekeyed") {
		t.Errorf("audit --verify after the rekey = %d %q %q; want exit 1, PARTLY UNVERIFIABLE, %q", code, out, errb, want)
	}
	if code, out2, _ := run("", "audit", "--verify", "--accept-rekeyed"); code != 0 || out2 != out {
		t.Errorf("audit --verify --accept-rekeyed = %d %q; want exit 0 with the same report", code, out2)
	}
	_, out, _ = run("", "audit", "--verify", "--json")
	chk = app.AuditCheckDTO{}
	if err := json.Unmarshal([]byte(out), &chk); err != nil || chk.OK || chk.Status != "partly_unverifiable" || len(chk.Unverifiable) != 1 ||
		chk.Unverifiable[0].From != 1 || chk.Unverifiable[0].To != uint64(entries) || chk.Unverifiable[0].KeyID != lostKey ||
		len(chk.Rekeys) != 1 || chk.Rekeys[0].Seq != uint64(entries+1) || chk.KeyID == lostKey {
		t.Errorf("audit --verify --json after the rekey = %s; want partly_unverifiable, entries 1–%d under %s", out, entries, lostKey)
	}

	// Tampering after the rekey is still found, --accept-rekeyed or not.
	truncateAudit(t, dir+"/demo.db", 1)
	if code, out, _ := run("", "audit", "--verify", "--accept-rekeyed"); code != cli.ExitError || !strings.Contains(out, "TAMPERED") {
		t.Errorf("audit --verify --accept-rekeyed after a cut = %d %q; want exit 1, TAMPERED", code, out)
	}
}

// A running window or serve holds the data file and the key it loaded:
// the CLI does not hand it the rekey (the UI must not be able to replace
// the key), it says to close it.
func TestCLI_AuditRekeyWhileServing(t *testing.T) {
	s := startServe(t)
	code, out, errb := runCLI(t, s.dir, backend.SystemClock{}, "", "audit", "--rekey", "--yes")
	if code != cli.ExitError || !strings.Contains(errb, "CaseyOS is running") || !strings.Contains(errb, "close it, then run `caseyos audit --rekey` again") {
		t.Errorf("audit --rekey while serve runs = %d %q %q; want it refused, saying to close the running instance", code, out, errb)
	}
}
