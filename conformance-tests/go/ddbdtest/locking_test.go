// Optimistic locking the way Go applications write it with the expression builder: create with
// attribute_not_exists(pk), update with `version = :expected`, and on
// ConditionalCheckFailedException re-read and retry. This is ddbd's core promise: conditional
// writes are atomic per item, so of two racing writers exactly one wins and no update is lost.
package ddbdtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// account is the versioned record of these tests.
type account struct {
	PK      string `dynamodbav:"pk"`
	Version int    `dynamodbav:"version"`
	Counter int    `dynamodbav:"counter"`
	Alice   string `dynamodbav:"alice,omitempty"`
	Bob     string `dynamodbav:"bob,omitempty"`
	Owner   int    `dynamodbav:"owner"`
}

// createIfAbsent puts the record only if no item has its key yet.
func createIfAbsent(ctx context.Context, c *dynamodb.Client, table string, rec account) error {
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return err
	}
	expr, err := expression.NewBuilder().
		WithCondition(expression.AttributeNotExists(expression.Name("pk"))).Build()
	if err != nil {
		return err
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(table),
		Item:                      item,
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	return err
}

// readAccount is a strongly consistent read (a stale read would make every retry fail again).
func readAccount(ctx context.Context, c *dynamodb.Client, table, pk string) (account, error) {
	var rec account
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: keyOf(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return rec, err
	}
	if out.Item == nil {
		return rec, fmt.Errorf("item %s not found", pk)
	}
	err = attributevalue.UnmarshalMap(out.Item, &rec)
	return rec, err
}

// versionedUpdate sets the given attributes and version expected+1, only if the stored version
// is still `expected`; it returns the new record.
func versionedUpdate(ctx context.Context, c *dynamodb.Client, table, pk string, expected int, set map[string]interface{}) (account, error) {
	var rec account
	update := expression.Set(expression.Name("version"), expression.Value(expected+1))
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		update = update.Set(expression.Name(name), expression.Value(set[name]))
	}
	expr, err := expression.NewBuilder().
		WithUpdate(update).
		WithCondition(expression.Name("version").Equal(expression.Value(expected))).
		Build()
	if err != nil {
		return rec, err
	}
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(pk),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return rec, err
	}
	err = attributevalue.UnmarshalMap(out.Attributes, &rec)
	return rec, err
}

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// Why: the project's core scenario: two clients read version 1 and race a conditional update;
// exactly one wins, the loser gets ConditionalCheckFailedException, re-reads version 2, retries
// and wins at version 3, and both writers' changes survive. 20 rounds on fresh keys.
func TestOptimisticLockingRace(t *testing.T) {
	table := hashTable(t)
	clients := [2]*dynamodb.Client{newClient(t), newClient(t)}
	fields := [2]string{"alice", "bob"}
	values := [2]string{"alice's change", "bob's change"}
	ctx := testCtx(t)

	for round := 0; round < 20; round++ {
		pk := uniqueKey(fmt.Sprintf("race%d", round))
		if err := createIfAbsent(ctx, clients[0], table, account{PK: pk, Version: 1}); err != nil {
			t.Fatalf("round %d: creating the record: %v", round, err)
		}

		var ready, done sync.WaitGroup
		start := make(chan struct{})
		var results [2]account
		var readErrs, errs [2]error
		for i := 0; i < 2; i++ {
			ready.Add(1)
			done.Add(1)
			go func(i int) {
				defer done.Done()
				seen, err := readAccount(ctx, clients[i], table, pk)
				ready.Done()
				if err != nil {
					readErrs[i] = err
					return
				}
				<-start // both have read version 1; now both write at once
				results[i], errs[i] = versionedUpdate(ctx, clients[i], table, pk, seen.Version,
					map[string]interface{}{fields[i]: values[i]})
			}(i)
		}
		ready.Wait()
		close(start)
		done.Wait()
		for i, err := range readErrs {
			if err != nil {
				t.Fatalf("round %d: client %d read: %v", round, i, err)
			}
		}

		var winners []int
		for i, err := range errs {
			if err == nil {
				winners = append(winners, i)
			}
		}
		if len(winners) != 1 {
			t.Fatalf("round %d: %d winners (errors: %v, %v); want exactly one", round, len(winners), errs[0], errs[1])
		}
		w, l := winners[0], 1-winners[0]
		assertConditionFailed(t, errs[l])
		if results[w].Version != 2 {
			t.Fatalf("round %d: winner's ALL_NEW = %+v, want version 2", round, results[w])
		}

		// The loser re-reads, sees the winner's write, and retries against version 2.
		seen, err := readAccount(ctx, clients[l], table, pk)
		if err != nil {
			t.Fatalf("round %d: loser's re-read: %v", round, err)
		}
		want := account{PK: pk, Version: 2}
		if w == 0 {
			want.Alice = values[0]
		} else {
			want.Bob = values[1]
		}
		if seen != want {
			t.Fatalf("round %d: loser re-read %+v, want %+v", round, seen, want)
		}
		retried, err := versionedUpdate(ctx, clients[l], table, pk, seen.Version,
			map[string]interface{}{fields[l]: values[l]})
		if err != nil {
			t.Fatalf("round %d: loser's retry at version %d: %v", round, seen.Version, err)
		}
		final := account{PK: pk, Version: 3, Alice: values[0], Bob: values[1]}
		if retried != final {
			t.Fatalf("round %d: retry's ALL_NEW = %+v, want %+v", round, retried, final)
		}
		if got, err := readAccount(ctx, clients[w], table, pk); err != nil || got != final {
			t.Fatalf("round %d: final item = %+v (%v), want %+v", round, got, err, final)
		}
	}
}

// Why: the first save of a versioned record is a put with attribute_not_exists(pk); a second
// such put of the same key must fail and leave the first record in place.
func TestCreateIfAbsentTwiceFails(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	pk := uniqueKey("absent")
	if err := createIfAbsent(ctx, c, table, account{PK: pk, Version: 1, Owner: 1}); err != nil {
		t.Fatalf("first create: %v", err)
	}
	err := createIfAbsent(ctx, c, table, account{PK: pk, Version: 1, Owner: 2})
	assertConditionFailed(t, err)
	got, err := readAccount(ctx, c, table, pk)
	if err != nil || got != (account{PK: pk, Version: 1, Owner: 1}) {
		t.Fatalf("record after the second create = %+v (%v), want the first one", got, err)
	}
}

// Why: when many clients create the same new key at once, attribute_not_exists lets exactly one
// of them through and the stored item is that one's.
func TestCreateIfAbsentRaceHasOneWinner(t *testing.T) {
	table := hashTable(t)
	const writers = 8
	clients := make([]*dynamodb.Client, writers)
	for i := range clients {
		clients[i] = newClient(t)
	}
	ctx := testCtx(t)
	for round := 0; round < 5; round++ {
		pk := uniqueKey(fmt.Sprintf("absent-race%d", round))
		start := make(chan struct{})
		var done sync.WaitGroup
		errs := make([]error, writers)
		for i := 0; i < writers; i++ {
			done.Add(1)
			go func(i int) {
				defer done.Done()
				<-start
				errs[i] = createIfAbsent(ctx, clients[i], table, account{PK: pk, Version: 1, Owner: i})
			}(i)
		}
		close(start)
		done.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: writers %d and %d both created the item", round, winner, i)
			case err == nil:
				winner = i
			case !isConditionFailed(err):
				t.Fatalf("round %d: writer %d: expected ConditionalCheckFailedException, got %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no writer created the item", round)
		}
		got, err := readAccount(ctx, clients[0], table, pk)
		if err != nil || got != (account{PK: pk, Version: 1, Owner: winner}) {
			t.Fatalf("round %d: stored %+v (%v), want the record of writer %d", round, got, err, winner)
		}
	}
}

// Why: 8 goroutines x 25 read-check-write increments on one key with retry on
// ConditionalCheckFailedException must lose no update: counter 200, version 201, and every
// version from 2 to 201 granted to exactly one successful write.
func TestNoLostUpdates(t *testing.T) {
	table := hashTable(t)
	const workers, perWorker = 8, 25
	ctx := testCtx(t)
	pk := uniqueKey("counter")
	setup := newClient(t)
	if err := createIfAbsent(ctx, setup, table, account{PK: pk, Version: 1}); err != nil {
		t.Fatalf("creating the counter: %v", err)
	}

	var mu sync.Mutex
	granted := map[int]int{} // version -> worker that wrote it
	conflicts := 0
	workerErrs := make([]error, workers)
	var done sync.WaitGroup
	start := make(chan struct{})
	for w := 0; w < workers; w++ {
		c := newClient(t)
		done.Add(1)
		go func(w int, c *dynamodb.Client) {
			defer done.Done()
			<-start
			for n := 0; n < perWorker; n++ {
				for attempt := 0; ; attempt++ {
					if attempt == 10000 {
						workerErrs[w] = fmt.Errorf("increment %d: no success after %d attempts", n, attempt)
						return
					}
					cur, err := readAccount(ctx, c, table, pk)
					if err != nil {
						workerErrs[w] = fmt.Errorf("increment %d: read: %w", n, err)
						return
					}
					next, err := versionedUpdate(ctx, c, table, pk, cur.Version,
						map[string]interface{}{"counter": cur.Counter + 1})
					if isConditionFailed(err) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					if err != nil {
						workerErrs[w] = fmt.Errorf("increment %d: update: %w", n, err)
						return
					}
					mu.Lock()
					if other, dup := granted[next.Version]; dup {
						workerErrs[w] = fmt.Errorf("version %d was written by workers %d and %d", next.Version, other, w)
					}
					granted[next.Version] = w
					mu.Unlock()
					break
				}
			}
		}(w, c)
	}
	close(start)
	done.Wait()
	for w, err := range workerErrs {
		if err != nil {
			t.Fatalf("worker %d: %v", w, err)
		}
	}
	final, err := readAccount(ctx, setup, table, pk)
	if err != nil {
		t.Fatalf("final read: %v", err)
	}
	t.Logf("%d increments, %d conflicts retried", workers*perWorker, conflicts)
	if final.Counter != workers*perWorker || final.Version != workers*perWorker+1 {
		t.Fatalf("final counter %d version %d, want %d and %d: updates were lost",
			final.Counter, final.Version, workers*perWorker, workers*perWorker+1)
	}
	for v := 2; v <= workers*perWorker+1; v++ {
		if _, ok := granted[v]; !ok {
			t.Fatalf("no successful write produced version %d", v)
		}
	}
}

// Why: ReturnValuesOnConditionCheckFailure=ALL_OLD lets the loser of a race see the current item
// without a re-read. The service added it to PutItem/UpdateItem/DeleteItem in mid-2023; Debian
// bookworm's SDK (service/dynamodb 1.17.x) has it only on the TransactWriteItems member types, so
// the test skips itself there instead of faking the parameter. (ddbd supports it; the Python and
// JavaScript suites cover it on the wire.)
func TestReturnValuesOnConditionCheckFailure(t *testing.T) {
	for _, in := range []interface{}{dynamodb.PutItemInput{}, dynamodb.UpdateItemInput{}, dynamodb.DeleteItemInput{}} {
		if _, ok := reflect.TypeOf(in).FieldByName("ReturnValuesOnConditionCheckFailure"); !ok {
			t.Skipf("this SDK's %T has no ReturnValuesOnConditionCheckFailure field (added to the service in 2023; "+
				"SDK service/dynamodb 1.17.x predates it)", in)
		}
	}
	// A newer SDK has the field (and ConditionalCheckFailedException.Item); it cannot be named
	// in code that must also build against 1.17, so say what is missing rather than pass.
	t.Skip("this SDK has ReturnValuesOnConditionCheckFailure on the item operations: write the real test " +
		"(set ALL_OLD, expect ConditionalCheckFailedException.Item to hold the stored item)")
}
