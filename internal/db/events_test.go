package db

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// RecordEvent writes at the transaction's time by the context's actor; RecordEventAt, which
// the demo uses to back-date history, at the time and by the actor it is given; an event
// without an entity or an action is refused and nothing is written.
func TestRecordEventWritesWhenAndByWhom(t *testing.T) {
	d := openTestDB(t)
	now := time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)
	d.Now = func() time.Time { return now }
	ctx := WithActor(context.Background(), Actor{UserID: 7, Name: "Sam Store"})
	past := time.Date(2023, 1, 2, 9, 0, 0, 0, time.FixedZone("BST", 3600))
	var refused []error
	err := d.InTx(ctx, func(tx *Tx) error {
		if err := RecordEvent(tx, EntityLoan, 42, ActionIssued, map[string]any{"tags": []string{"KL-000001"}}); err != nil {
			return err
		}
		if err := RecordEventAt(tx, past, Actor{Name: "system"}, EntityItem, 3, ActionCleaned, nil); err != nil {
			return err
		}
		var noEntity Entity
		var noAction Action
		refused = append(refused, RecordEvent(tx, EntityLoan, 42, noAction, nil), RecordEvent(tx, noEntity, 42, ActionIssued, nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range refused {
		if err == nil {
			t.Error("an event without an entity or an action was written")
		}
	}
	type row struct {
		at, actor, entity, action, details string
		actorID                            sql.NullInt64
		id                                 int64
	}
	var got []row
	rows, err := d.Read.Query(`SELECT at, actor_id, actor, entity, entity_id, action, details FROM events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.at, &r.actorID, &r.actor, &r.entity, &r.id, &r.action, &r.details); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	want := []row{
		{at: "2026-03-04T10:30:00Z", actorID: sql.NullInt64{Int64: 7, Valid: true}, actor: "Sam Store", entity: "loan", id: 42, action: "issued", details: `{"tags":["KL-000001"]}`},
		{at: "2023-01-02T08:00:00Z", actor: "system", entity: "item", id: 3, action: "cleaned", details: "{}"},
	}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d is %+v, want %+v", i, got[i], want[i])
		}
	}
	events, total, err := d.Events(ctx, EntityLoan, 42, 10, 0)
	if err != nil || total != 1 || len(events) != 1 || events[0].Action != ActionIssued || events[0].Entity != EntityLoan || !events[0].At.Equal(now) {
		t.Fatalf("Events read %+v (total %d), %v", events, total, err)
	}
}
