// Multi-item operations as Go applications write them: a versioned bank transfer through
// TransactWriteItems built with the expression builder, the typed TransactionCanceledException
// with its positional CancellationReasons, ClientRequestToken idempotency, BatchWriteItem and
// BatchGetItem (with their 25-request limit), TransactGetItems, and the rule that one
// transaction may touch an item only once.
package ddbdtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The message DynamoDB gives when one transaction names an item twice.
const multipleOperationsMessage = "Transaction request cannot include multiple operations on one item"

// ledgerAccount is the versioned bank account of the transaction tests.
type ledgerAccount struct {
	PK      string `dynamodbav:"pk"`
	Owner   string `dynamodbav:"owner"`
	Balance int    `dynamodbav:"balance"`
	Version int    `dynamodbav:"version"`
}

// pkSkTable is the shared hash+range table (pk S, sk N) the item tests also use.
func pkSkTable(t testing.TB) string {
	return sharedTable(t, "pk-sk", hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
}

func pkSkKey(pk string, sk int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": avS(pk), "sk": avN(fmt.Sprint(sk))}
}

func putItem(t testing.TB, c *dynamodb.Client, table string, item map[string]types.AttributeValue) {
	t.Helper()
	if _, err := c.PutItem(testCtx(t), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem %s: %v", renderItem(item), err)
	}
}

func putLedger(t testing.TB, c *dynamodb.Client, table string, acc ledgerAccount) {
	t.Helper()
	item, err := attributevalue.MarshalMap(acc)
	if err != nil {
		t.Fatalf("MarshalMap: %v", err)
	}
	putItem(t, c, table, item)
}

// readLedger is a strongly consistent read of one account.
func readLedger(t testing.TB, c *dynamodb.Client, table, pk string) ledgerAccount {
	t.Helper()
	item := getConsistent(t, c, table, keyOf(pk))
	if item == nil {
		t.Fatalf("account %s not found", pk)
	}
	var acc ledgerAccount
	if err := attributevalue.UnmarshalMap(item, &acc); err != nil {
		t.Fatalf("UnmarshalMap %s: %v", renderItem(item), err)
	}
	return acc
}

func assertLedger(t testing.TB, c *dynamodb.Client, table string, want ledgerAccount) {
	t.Helper()
	if got := readLedger(t, c, table, want.PK); got != want {
		t.Fatalf("account %s = %+v, want %+v", want.PK, got, want)
	}
}

// transferLeg is one side of a transfer: SET balance = balance - :amt (or + :amt),
// version = version + :one, on condition version = :expected. The expression builder makes the
// placeholders; each leg is built on its own, as every transaction member has its own maps.
func transferLeg(t testing.TB, table, pk string, expectedVersion, delta int) *types.Update {
	t.Helper()
	var balance expression.SetValueBuilder
	if delta < 0 {
		balance = expression.Name("balance").Minus(expression.Value(-delta))
	} else {
		balance = expression.Name("balance").Plus(expression.Value(delta))
	}
	update := expression.Set(expression.Name("balance"), balance).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1)))
	expr, err := expression.NewBuilder().
		WithUpdate(update).
		WithCondition(expression.Name("version").Equal(expression.Value(expectedVersion))).
		Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	return &types.Update{
		TableName:                 aws.String(table),
		Key:                       keyOf(pk),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
}

// branchCheck is a ConditionCheck that the bank's branch item (in the hash+range table) is open.
func branchCheck(t testing.TB, table, branch string) *types.ConditionCheck {
	t.Helper()
	expr, err := expression.NewBuilder().
		WithCondition(expression.Name("status").Equal(expression.Value("open"))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	return &types.ConditionCheck{
		TableName:                 aws.String(table),
		Key:                       pkSkKey(branch, 0),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
}

func branchItem(branch, status string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": avS(branch), "sk": avN("0"), "status": avS(status)}
}

// transfer is the three-member transaction of these tests: debit `from`, credit `to`, and check
// the branch is open.
func transfer(from, to *types.Update, check *types.ConditionCheck) []types.TransactWriteItem {
	return []types.TransactWriteItem{{Update: from}, {Update: to}, {ConditionCheck: check}}
}

// bankSetup writes two accounts at version 1 and an open branch, and returns their keys.
func bankSetup(t testing.TB, c *dynamodb.Client, accounts, branches string) (from, to, branch string) {
	t.Helper()
	from, to, branch = uniqueKey("alice"), uniqueKey("bob"), uniqueKey("branch")
	putLedger(t, c, accounts, ledgerAccount{PK: from, Owner: "alice", Balance: 100, Version: 1})
	putLedger(t, c, accounts, ledgerAccount{PK: to, Owner: "bob", Balance: 50, Version: 1})
	putItem(t, c, branches, branchItem(branch, "open"))
	return from, to, branch
}

// wantReason is one expected CancellationReason; item nil means the reason must carry no Item.
type wantReason struct {
	code string
	item map[string]types.AttributeValue
}

// assertCanceled checks that err is the typed TransactionCanceledException whose
// CancellationReasons match want position by position: Code, Message ("The conditional request
// failed" for ConditionalCheckFailed, none for None) and Item.
func assertCanceled(t testing.TB, err error, want []wantReason) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected TransactionCanceledException, the transaction succeeded")
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("expected *types.TransactionCanceledException, got %T: %v", err, err)
	}
	codes := make([]string, len(want))
	for i, w := range want {
		codes[i] = w.code
	}
	if list := "[" + strings.Join(codes, ", ") + "]"; !strings.Contains(tce.ErrorMessage(), list) {
		t.Errorf("TransactionCanceledException message %q does not list the reasons %s", tce.ErrorMessage(), list)
	}
	if len(tce.CancellationReasons) != len(want) {
		t.Fatalf("%d CancellationReasons, want %d (one per action): %+v", len(tce.CancellationReasons), len(want), tce.CancellationReasons)
	}
	for i, w := range want {
		r := tce.CancellationReasons[i]
		if got := aws.ToString(r.Code); got != w.code {
			t.Errorf("CancellationReasons[%d].Code = %q, want %q", i, got, w.code)
		}
		switch w.code {
		case "ConditionalCheckFailed":
			if got := aws.ToString(r.Message); got != conditionFailedMessage {
				t.Errorf("CancellationReasons[%d].Message = %q, want %q", i, got, conditionFailedMessage)
			}
		case "None":
			if r.Message != nil {
				t.Errorf("CancellationReasons[%d].Message = %q, want none", i, *r.Message)
			}
		}
		if w.item == nil {
			if r.Item != nil {
				t.Errorf("CancellationReasons[%d].Item = %s, want no Item", i, renderItem(r.Item))
			}
		} else if g, wi := renderItem(r.Item), renderItem(w.item); g != wi {
			t.Errorf("CancellationReasons[%d].Item:\n got  %s\n want %s", i, g, wi)
		}
	}
}

// Why: the canonical use of TransactWriteItems: move money between two versioned accounts with
// expression-builder updates (balance -/+ :amt, version + 1, if version = :expected) and a
// ConditionCheck on a third item in another table; both legs apply together and the checked
// item is left as it was.
func TestTransactWriteBankTransfer(t *testing.T) {
	c := newClient(t)
	accounts, branches := hashTable(t), pkSkTable(t)
	ctx := testCtx(t)
	from, to, branch := bankSetup(t, c, accounts, branches)

	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: transfer(
		transferLeg(t, accounts, from, 1, -30),
		transferLeg(t, accounts, to, 1, +30),
		branchCheck(t, branches, branch))})
	if err != nil {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	assertLedger(t, c, accounts, ledgerAccount{PK: from, Owner: "alice", Balance: 70, Version: 2})
	assertLedger(t, c, accounts, ledgerAccount{PK: to, Owner: "bob", Balance: 80, Version: 2})
	assertItem(t, "branch after the transfer", getConsistent(t, c, branches, pkSkKey(branch, 0)), branchItem(branch, "open"))

	// A second transfer back, against the versions the first one wrote.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: transfer(
		transferLeg(t, accounts, to, 2, -45),
		transferLeg(t, accounts, from, 2, +45),
		branchCheck(t, branches, branch))})
	if err != nil {
		t.Fatalf("second TransactWriteItems: %v", err)
	}
	assertLedger(t, c, accounts, ledgerAccount{PK: from, Owner: "alice", Balance: 115, Version: 3})
	assertLedger(t, c, accounts, ledgerAccount{PK: to, Owner: "bob", Balance: 35, Version: 3})
}

// Why: a transfer built from a stale read must be cancelled as a whole: the SDK's typed
// *types.TransactionCanceledException, one CancellationReason per action in request order
// (ConditionalCheckFailed where the condition failed, None elsewhere), the current item only in
// the reason of a failed action that asked for ReturnValuesOnConditionCheckFailure ALL_OLD, and
// no write from any action.
func TestTransactWriteStaleVersionIsCanceled(t *testing.T) {
	c := newClient(t)
	accounts, branches := hashTable(t), pkSkTable(t)
	ctx := testCtx(t)
	from, to, branch := bankSetup(t, c, accounts, branches)

	// Another writer moves `from` to version 2 after our read of version 1.
	putLedger(t, c, accounts, ledgerAccount{PK: from, Owner: "alice", Balance: 90, Version: 2})
	current := getConsistent(t, c, accounts, keyOf(from))
	fromAfter := ledgerAccount{PK: from, Owner: "alice", Balance: 90, Version: 2}
	toBefore := ledgerAccount{PK: to, Owner: "bob", Balance: 50, Version: 1}

	// ALL_OLD on both legs: only the failed one returns an item.
	debit := transferLeg(t, accounts, from, 1, -30)
	debit.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	credit := transferLeg(t, accounts, to, 1, +30)
	credit.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
		TransactItems: transfer(debit, credit, branchCheck(t, branches, branch))})
	assertCanceled(t, err, []wantReason{{"ConditionalCheckFailed", current}, {"None", nil}, {"None", nil}})
	assertLedger(t, c, accounts, fromAfter)
	assertLedger(t, c, accounts, toBefore)

	// The same stale transfer without ReturnValuesOnConditionCheckFailure: no item.
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: transfer(
		transferLeg(t, accounts, from, 1, -30),
		transferLeg(t, accounts, to, 1, +30),
		branchCheck(t, branches, branch))})
	assertCanceled(t, err, []wantReason{{"ConditionalCheckFailed", nil}, {"None", nil}, {"None", nil}})
	assertLedger(t, c, accounts, fromAfter)
	assertLedger(t, c, accounts, toBefore)

	// Fresh versions, but the branch is closed: the last reason fails and, with ALL_OLD on the
	// ConditionCheck, carries the branch item; the two updates whose conditions held write nothing.
	putItem(t, c, branches, branchItem(branch, "closed"))
	check := branchCheck(t, branches, branch)
	check.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: transfer(
		transferLeg(t, accounts, from, 2, -30),
		transferLeg(t, accounts, to, 1, +30),
		check)})
	assertCanceled(t, err, []wantReason{{"None", nil}, {"None", nil}, {"ConditionalCheckFailed", branchItem(branch, "closed")}})
	assertLedger(t, c, accounts, fromAfter)
	assertLedger(t, c, accounts, toBefore)
}

// Why: a retried TransactWriteItems with the same ClientRequestToken must succeed without applying
// again (its version conditions would fail if it were re-evaluated, and the balances would move
// twice); the same token on a different request is IdempotentParameterMismatchException and
// writes nothing.
func TestTransactWriteClientRequestToken(t *testing.T) {
	c := newClient(t)
	accounts, branches := hashTable(t), pkSkTable(t)
	ctx := testCtx(t)
	from, to, branch := bankSetup(t, c, accounts, branches)
	token := uniqueKey("token") // at most 36 characters

	request := func(amount int) *dynamodb.TransactWriteItemsInput {
		return &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String(token),
			TransactItems: transfer(
				transferLeg(t, accounts, from, 1, -amount),
				transferLeg(t, accounts, to, 1, +amount),
				branchCheck(t, branches, branch)),
		}
	}
	if _, err := c.TransactWriteItems(ctx, request(30)); err != nil {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	fromAfter := ledgerAccount{PK: from, Owner: "alice", Balance: 70, Version: 2}
	toAfter := ledgerAccount{PK: to, Owner: "bob", Balance: 80, Version: 2}
	assertLedger(t, c, accounts, fromAfter)
	assertLedger(t, c, accounts, toAfter)

	for replay := 1; replay <= 2; replay++ {
		if _, err := c.TransactWriteItems(ctx, request(30)); err != nil {
			t.Fatalf("replay %d of the same request and token: %v", replay, err)
		}
		assertLedger(t, c, accounts, fromAfter)
		assertLedger(t, c, accounts, toAfter)
	}

	_, err := c.TransactWriteItems(ctx, request(10))
	if err == nil {
		t.Fatalf("the same token with another amount succeeded; want IdempotentParameterMismatchException")
	}
	var mismatch *types.IdempotentParameterMismatchException
	if !errors.As(err, &mismatch) {
		t.Fatalf("expected *types.IdempotentParameterMismatchException, got %T: %v", err, err)
	}
	assertLedger(t, c, accounts, fromAfter)
	assertLedger(t, c, accounts, toAfter)
}

// batchItem is item i of the batch tests; generation tells the two writes of one key apart.
func batchItem(prefix string, i, generation int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk":    avS(fmt.Sprintf("%s-%02d", prefix, i)),
		"count": avN(fmt.Sprint(generation*1000 + i)),
		"info": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"city": avS(fmt.Sprintf("city %d/%d", generation, i)), "zip": avS(fmt.Sprintf("%05d", i))}},
		"extra": avS("not projected"),
	}
}

func batchKey(prefix string, i int) map[string]types.AttributeValue {
	return keyOf(fmt.Sprintf("%s-%02d", prefix, i))
}

// batchGetAll reads keys with one consistent BatchGetItem and a projection, and requires that
// nothing was left unprocessed; the result is keyed by pk (BatchGetItem promises no order).
func batchGetAll(t *testing.T, c *dynamodb.Client, table string, keys []map[string]types.AttributeValue) map[string]map[string]types.AttributeValue {
	t.Helper()
	out, err := c.BatchGetItem(testCtx(t), &dynamodb.BatchGetItemInput{
		RequestItems: map[string]types.KeysAndAttributes{table: {
			Keys:                     keys,
			ConsistentRead:           aws.Bool(true),
			ProjectionExpression:     aws.String("pk, #c, info.city"),
			ExpressionAttributeNames: map[string]string{"#c": "count"},
		}},
	})
	if err != nil {
		t.Fatalf("BatchGetItem: %v", err)
	}
	if len(out.UnprocessedKeys) != 0 {
		t.Fatalf("BatchGetItem left keys unprocessed: %+v", out.UnprocessedKeys)
	}
	for name := range out.Responses {
		if name != table {
			t.Fatalf("BatchGetItem answered for table %q, asked only %q", name, table)
		}
	}
	byKey := map[string]map[string]types.AttributeValue{}
	for _, item := range out.Responses[table] {
		pk, ok := item["pk"].(*types.AttributeValueMemberS)
		if !ok {
			t.Fatalf("BatchGetItem returned an item without pk: %s", renderItem(item))
		}
		if _, dup := byKey[pk.Value]; dup {
			t.Fatalf("BatchGetItem returned %s twice", pk.Value)
		}
		byKey[pk.Value] = item
	}
	return byKey
}

// Why: BatchWriteItem mixes puts (new keys and overwrites) and deletes, 25 requests being the
// most one call may carry; all of them apply and UnprocessedItems is empty. BatchGetItem then
// reads them back in any order, with a ProjectionExpression (a name placeholder and a nested
// path), and has no item for the deleted keys.
func TestBatchWriteThenBatchGet(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	prefix := uniqueKey("batch")
	for i := 0; i < 8; i++ {
		putItem(t, c, table, batchItem(prefix, i, 1))
	}

	// Deletes of 0..4, puts of 5..24 (5..7 overwrite), interleaved: 25 requests.
	var writes []types.WriteRequest
	for j := 0; j < 25; j++ {
		i := (j * 7) % 25
		if i < 5 {
			writes = append(writes, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: batchKey(prefix, i)}})
		} else {
			writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: batchItem(prefix, i, 2)}})
		}
	}
	out, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
		RequestItems: map[string][]types.WriteRequest{table: writes}})
	if err != nil {
		t.Fatalf("BatchWriteItem of 25 requests: %v", err)
	}
	if len(out.UnprocessedItems) != 0 {
		t.Fatalf("BatchWriteItem left requests unprocessed: %+v", out.UnprocessedItems)
	}

	var keys []map[string]types.AttributeValue
	for i := 24; i >= 0; i-- {
		keys = append(keys, batchKey(prefix, i))
	}
	got := batchGetAll(t, c, table, keys)
	if len(got) != 20 {
		t.Errorf("BatchGetItem returned %d items, want the 20 put ones", len(got))
	}
	for i := 0; i < 25; i++ {
		pk := fmt.Sprintf("%s-%02d", prefix, i)
		item, found := got[pk]
		if i < 5 {
			if found {
				t.Errorf("deleted item %s is still there: %s", pk, renderItem(item))
			}
			continue
		}
		full := batchItem(prefix, i, 2)
		want := map[string]types.AttributeValue{
			"pk": full["pk"], "count": full["count"],
			"info": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"city": full["info"].(*types.AttributeValueMemberM).Value["city"]}},
		}
		if !found {
			t.Errorf("item %s missing from BatchGetItem", pk)
		} else if g, w := renderItem(item), renderItem(want); g != w {
			t.Errorf("projected item %s:\n got  %s\n want %s", pk, g, w)
		}
	}
	// The whole items are what the puts wrote.
	assertItem(t, "item 6 (overwritten)", getConsistent(t, c, table, batchKey(prefix, 6)), batchItem(prefix, 6, 2))
	assertItem(t, "item 24 (new)", getConsistent(t, c, table, batchKey(prefix, 24)), batchItem(prefix, 24, 2))
}

// Why: 25 write requests is BatchWriteItem's limit; 26 is a ValidationException (no typed Go
// error: matched through smithy.APIError's code) and none of them is written.
func TestBatchWriteOver25IsValidation(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	prefix := uniqueKey("batch26")
	var writes []types.WriteRequest
	var keys []map[string]types.AttributeValue
	for i := 0; i < 26; i++ {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: batchItem(prefix, i, 1)}})
		keys = append(keys, batchKey(prefix, i))
	}
	_, err := c.BatchWriteItem(testCtx(t), &dynamodb.BatchWriteItemInput{
		RequestItems: map[string][]types.WriteRequest{table: writes}})
	if err == nil {
		t.Fatalf("BatchWriteItem of 26 requests succeeded; want ValidationException")
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("expected a smithy.APIError, got %T: %v", err, err)
	}
	if apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("error code = %q (%v), want ValidationException", apiErr.ErrorCode(), err)
	}
	t.Logf("26 write requests: %s", apiErr.ErrorMessage())
	if got := batchGetAll(t, c, table, keys); len(got) != 0 {
		t.Fatalf("a rejected BatchWriteItem wrote %d items", len(got))
	}
}

// Why: TransactGetItems answers position by position: Responses[i] is the item of TransactItems[i]
// (across tables, with that member's projection), and a key with no item has a response with a
// nil Item rather than being dropped.
func TestTransactGetItemsPositional(t *testing.T) {
	c := newClient(t)
	accounts, branches := hashTable(t), pkSkTable(t)
	ctx := testCtx(t)
	a, b, branch := uniqueKey("tget-a"), uniqueKey("tget-b"), uniqueKey("tget-branch")
	itemA := map[string]types.AttributeValue{"pk": avS(a), "name": avS("alice"), "balance": avN("10"),
		"tags": &types.AttributeValueMemberSS{Value: []string{"x", "y"}}}
	itemB := map[string]types.AttributeValue{"pk": avS(b), "name": avS("bob"), "balance": avN("20")}
	itemC := branchItem(branch, "open")
	putItem(t, c, accounts, itemA)
	putItem(t, c, accounts, itemB)
	putItem(t, c, branches, itemC)

	out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String(accounts), Key: keyOf(b)}},
		{Get: &types.Get{TableName: aws.String(accounts), Key: keyOf(uniqueKey("tget-missing"))}},
		{Get: &types.Get{TableName: aws.String(accounts), Key: keyOf(a),
			ProjectionExpression: aws.String("#n, balance"), ExpressionAttributeNames: map[string]string{"#n": "name"}}},
		{Get: &types.Get{TableName: aws.String(branches), Key: pkSkKey(branch, 0)}},
	}})
	if err != nil {
		t.Fatalf("TransactGetItems: %v", err)
	}
	if len(out.Responses) != 4 {
		t.Fatalf("TransactGetItems returned %d responses, want 4 (one per Get)", len(out.Responses))
	}
	assertItem(t, "Responses[0] (bob)", out.Responses[0].Item, itemB)
	if out.Responses[1].Item != nil {
		t.Fatalf("Responses[1] (no such item) = %s, want a nil Item", renderItem(out.Responses[1].Item))
	}
	assertItem(t, "Responses[2] (alice, projected)", out.Responses[2].Item,
		map[string]types.AttributeValue{"name": avS("alice"), "balance": avN("10")})
	assertItem(t, "Responses[3] (branch, other table)", out.Responses[3].Item, itemC)
}

// Why: a transaction may name each item once; two actions on one key (whatever their kinds) are
// rejected as a ValidationException with DynamoDB's wording before anything is written, while
// two items sharing a hash key but not a sort key are distinct and may both be written.
func TestTransactWriteOneItemTwiceIsValidation(t *testing.T) {
	c := newClient(t)
	table, hr := hashTable(t), pkSkTable(t)
	ctx := testCtx(t)
	k, other := uniqueKey("twice"), uniqueKey("twice-other")

	cases := []struct {
		name    string
		actions []types.TransactWriteItem
	}{
		{"Put and ConditionCheck", []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"pk": avS(k), "v": avN("1")}}},
			{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"pk": avS(other), "v": avN("1")}}},
			{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: keyOf(k),
				ConditionExpression: aws.String("attribute_not_exists(pk)")}},
		}},
		{"Update and Delete", []types.TransactWriteItem{
			{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"pk": avS(other), "v": avN("2")}}},
			{Update: &types.Update{TableName: aws.String(table), Key: keyOf(k), UpdateExpression: aws.String("SET v = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": avN("3")}}},
			{Delete: &types.Delete{TableName: aws.String(table), Key: keyOf(k)}},
		}},
	}
	for _, tc := range cases {
		_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tc.actions})
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) {
			t.Errorf("%s: got TransactionCanceledException %q, want ValidationException", tc.name, tce.ErrorMessage())
			continue
		}
		assertValidation(t, err, multipleOperationsMessage)
		for _, key := range []string{k, other} {
			if got := getConsistent(t, c, table, keyOf(key)); got != nil {
				t.Fatalf("%s: a rejected transaction wrote %s", tc.name, renderItem(got))
			}
		}
	}

	// One hash key, two sort keys: two items, so the transaction goes through.
	_, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(hr), Item: map[string]types.AttributeValue{"pk": avS(k), "sk": avN("1"), "v": avS("one")}}},
		{Put: &types.Put{TableName: aws.String(hr), Item: map[string]types.AttributeValue{"pk": avS(k), "sk": avN("2"), "v": avS("two")}}},
	}})
	if err != nil {
		t.Fatalf("TransactWriteItems of two sort keys under one hash key: %v", err)
	}
	assertItem(t, "sk 1", getConsistent(t, c, hr, pkSkKey(k, 1)), map[string]types.AttributeValue{"pk": avS(k), "sk": avN("1"), "v": avS("one")})
	assertItem(t, "sk 2", getConsistent(t, c, hr, pkSkKey(k, 2)), map[string]types.AttributeValue{"pk": avS(k), "sk": avN("2"), "v": avS("two")})
}
