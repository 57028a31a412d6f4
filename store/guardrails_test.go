package store_test

import (
	"reflect"
	"testing"

	"github.com/caseyos/caseyos/backend"
)

func TestGuardrailStore_Guardrails(t *testing.T) {
	t.Run("DefaultWhenAbsent", func(t *testing.T) {
		db := MustOpenStore(t)
		view(t, db, func(tx backend.Tx) error {
			g, err := tx.Guardrails()
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(g, backend.DefaultGuardrails()) {
				t.Errorf("Guardrails() = %+v, want the defaults", g)
			}
			return nil
		})
	})
	t.Run("OK", func(t *testing.T) {
		db := MustOpenStore(t)
		g := &backend.Guardrails{KillSwitch: true, KillSwitchAt: at(3, 9), KillSwitchBy: backend.ActorCLI, KillSwitchReason: "board meeting",
			SendWindow: backend.SendWindow{Start: 7 * 60, End: 19*60 + 30, SkipWeekends: true}}
		requireFilled(t, "Guardrails", g)
		update(t, db, func(tx backend.Tx) error { return tx.PutGuardrails(g) })
		view(t, db, func(tx backend.Tx) error {
			got, err := tx.Guardrails()
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, g) {
				t.Errorf("Guardrails() = %+v, want %+v", got, g)
			}
			return nil
		})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		db := MustOpenStore(t)
		err := db.Update(ctx, func(tx backend.Tx) error {
			return tx.PutGuardrails(&backend.Guardrails{SendWindow: backend.SendWindow{Start: 20 * 60, End: 8 * 60}})
		})
		wantCode(t, "a window that ends before it starts", err, backend.EINVALID)
	})
}

func TestGuardrailStore_DoNotContact(t *testing.T) {
	db := MustOpenStore(t)
	d := &backend.DoNotContact{Email: "Dana@Northwind.io", Reason: backend.DNCUnsubscribed, Note: "replied STOP", Actor: backend.ActorClick, At: at(4, 9)}
	requireFilled(t, "DoNotContact", d)
	update(t, db, func(tx backend.Tx) error {
		return errorsJoin(tx.PutDoNotContact(d), tx.PutDoNotContact(&backend.DoNotContact{Email: "a@b.io", Reason: backend.DNCBounced, At: at(4, 10)}))
	})
	view(t, db, func(tx backend.Tx) error {
		got, err := tx.DoNotContact("DANA@northwind.io")
		if err != nil {
			return err
		}
		want := *d
		want.Email = "dana@northwind.io"
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("DoNotContact() = %+v, want %+v", got, &want)
		}
		all, err := tx.FindDoNotContacts()
		if err != nil || len(all) != 2 || all[0].Email != "a@b.io" {
			t.Errorf("FindDoNotContacts() = %v, %v; want 2 by address", all, err)
		}
		_, err = tx.DoNotContact("nobody@x.io")
		wantCode(t, "an address not on the list", err, backend.ENOTFOUND)
		return nil
	})
	update(t, db, func(tx backend.Tx) error { return tx.DeleteDoNotContact("dana@northwind.io") })
	err := db.Update(ctx, func(tx backend.Tx) error { return tx.DeleteDoNotContact("dana@northwind.io") })
	wantCode(t, "deleting twice", err, backend.ENOTFOUND)
	err = db.Update(ctx, func(tx backend.Tx) error {
		return tx.PutDoNotContact(&backend.DoNotContact{Email: "x@y.io", Reason: "annoyed"})
	})
	wantCode(t, "an unknown reason", err, backend.EINVALID)
}

func TestGuardrailStore_Rules(t *testing.T) {
	db := MustOpenStore(t)
	r := &backend.Rule{Name: "hot replies", Enabled: true, Kinds: []backend.MoveKind{backend.KindSendEmail}, Domains: []backend.Domain{backend.DomainSales},
		EmailDomains: []string{"northwind.io"}, MinScore: 70, Segments: []string{"opportunity"}, CreatedAt: at(5, 9), UpdatedAt: at(5, 10)}
	update(t, db, func(tx backend.Tx) error { return tx.PutRule(r) })
	requireFilled(t, "Rule", r)
	r.Enabled = false
	update(t, db, func(tx backend.Tx) error { return tx.PutRule(r) })
	view(t, db, func(tx backend.Tx) error {
		got, err := tx.FindRules()
		if err != nil {
			return err
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], r) {
			t.Errorf("FindRules() = %+v, want [%+v]", got, r)
		}
		return nil
	})
	err := db.Update(ctx, func(tx backend.Tx) error { return tx.PutRule(&backend.Rule{Name: "everything"}) })
	wantCode(t, "a rule without conditions", err, backend.EINVALID)
	update(t, db, func(tx backend.Tx) error { return tx.DeleteRule(r.ID) })
	err = db.Update(ctx, func(tx backend.Tx) error { return tx.DeleteRule(r.ID) })
	wantCode(t, "deleting twice", err, backend.ENOTFOUND)
}

func TestExecutionStore_OneOpenExecutionPerMove(t *testing.T) {
	db := MustOpenStore(t)
	m := fullMove()
	first := fullExecution(0)
	update(t, db, func(tx backend.Tx) error {
		if err := tx.CreateMove(m); err != nil {
			return err
		}
		first.MoveID = m.ID
		return tx.CreateExecution(first)
	})
	second := fullExecution(m.ID)
	second.IdempotencyKey = "move-1-attempt-2"
	err := db.Update(ctx, func(tx backend.Tx) error { return tx.CreateExecution(second) })
	wantCode(t, "a second open execution of the move", err, backend.ECONFLICT)

	first.State = backend.ExecUndone
	update(t, db, func(tx backend.Tx) error { return tx.UpdateExecution(first) })
	update(t, db, func(tx backend.Tx) error { return tx.CreateExecution(second) })
	first.State = backend.ExecQueued
	err = db.Update(ctx, func(tx backend.Tx) error { return tx.UpdateExecution(first) })
	wantCode(t, "reopening an execution while another is open", err, backend.ECONFLICT)
	checkIndexes(t, db)
}
