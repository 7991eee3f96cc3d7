// Item operations as Go applications write them: structs through attributevalue.MarshalMap /
// UnmarshalMap, UpdateItem through the expression builder, ReturnValues, and numbers in their
// canonical form.
package ddbdtest

import (
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type address struct {
	Street string  `dynamodbav:"street"`
	City   string  `dynamodbav:"city"`
	Zip    *string `dynamodbav:"zip"` // nil: NULL
}

type event struct {
	Kind string `dynamodbav:"kind"`
	At   int64  `dynamodbav:"at"`
}

// profile covers every attribute type the marshaller produces.
type profile struct {
	PK       string            `dynamodbav:"pk"`
	Name     string            `dynamodbav:"name"`
	Age      int               `dynamodbav:"age"`
	Balance  float64           `dynamodbav:"balance"`
	Big      uint64            `dynamodbav:"big"`
	Debt     int64             `dynamodbav:"debt"`
	Active   bool              `dynamodbav:"active"`
	Avatar   []byte            `dynamodbav:"avatar"`
	Tags     []string          `dynamodbav:"tags,stringset"`
	Lucky    []int             `dynamodbav:"lucky,numberset"`
	Keys     [][]byte          `dynamodbav:"keys,binaryset"`
	Address  address           `dynamodbav:"address"`
	Limits   map[string]int    `dynamodbav:"limits"`
	Labels   map[string]string `dynamodbav:"labels"`
	History  []event           `dynamodbav:"history"`
	Matrix   [][]int           `dynamodbav:"matrix"`
	Nickname *string           `dynamodbav:"nickname"` // nil: NULL
	Note     string            `dynamodbav:"note"`     // empty S is fine outside keys
	Joined   time.Time         `dynamodbav:"joined"`
	Internal string            `dynamodbav:"-"`
	Optional string            `dynamodbav:"optional,omitempty"`
}

func (p *profile) sortSets() {
	sort.Strings(p.Tags)
	sort.Ints(p.Lucky)
	sort.Slice(p.Keys, func(i, j int) bool { return string(p.Keys[i]) < string(p.Keys[j]) })
}

// stringSet marshals as an SS, so the expression builder can ADD set members.
type stringSet []string

func (s stringSet) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	return &types.AttributeValueMemberSS{Value: s}, nil
}

func attrType(av types.AttributeValue) string {
	switch av.(type) {
	case *types.AttributeValueMemberS:
		return "S"
	case *types.AttributeValueMemberN:
		return "N"
	case *types.AttributeValueMemberB:
		return "B"
	case *types.AttributeValueMemberBOOL:
		return "BOOL"
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		return "SS"
	case *types.AttributeValueMemberNS:
		return "NS"
	case *types.AttributeValueMemberBS:
		return "BS"
	case *types.AttributeValueMemberL:
		return "L"
	case *types.AttributeValueMemberM:
		return "M"
	}
	return render(av)
}

// Why: the usual Go data path is struct -> MarshalMap -> PutItem -> GetItem -> UnmarshalMap; every
// type the marshaller emits (nested M and L, SS/NS/BS, big and negative N, B, NULL, BOOL, empty
// S) must come back identical.
func TestPutGetStructRoundTrip(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	zip := "75001"
	in := profile{
		PK:       uniqueKey("profile"),
		Name:     "Zoë 🚀",
		Age:      42,
		Balance:  -1234.5625,
		Big:      18446744073709551615,
		Debt:     -9223372036854775808,
		Active:   true,
		Avatar:   []byte{0x00, 0xff, 0x10, 0x80, 0x00},
		Tags:     []string{"red", "green", "blue"},
		Lucky:    []int{7, 13, -1, 1000000},
		Keys:     [][]byte{{0x01}, {0xff, 0x00}},
		Address:  address{Street: "1 Rue de Rivoli", City: "Paris", Zip: &zip},
		Limits:   map[string]int{"daily": 10, "monthly": 300},
		Labels:   map[string]string{},
		History:  []event{{"signup", 1700000000}, {"login", 1700000100}},
		Matrix:   [][]int{{1, 2}, {}, {3}},
		Nickname: nil,
		Note:     "",
		Joined:   time.Date(2024, 2, 29, 12, 30, 45, 123456789, time.UTC),
		Internal: "never stored",
	}
	item, err := attributevalue.MarshalMap(in)
	if err != nil {
		t.Fatalf("MarshalMap: %v", err)
	}
	ctx := testCtx(t)
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	got := getConsistent(t, c, table, keyOf(in.PK))
	assertItem(t, "stored item", got, item)

	wantTypes := map[string]string{
		"pk": "S", "age": "N", "big": "N", "debt": "N", "active": "BOOL", "avatar": "B",
		"tags": "SS", "lucky": "NS", "keys": "BS", "address": "M", "limits": "M", "labels": "M",
		"history": "L", "matrix": "L", "nickname": "NULL", "note": "S", "joined": "S",
	}
	for name, want := range wantTypes {
		if typ := attrType(got[name]); typ != want {
			t.Errorf("attribute %s has type %s, want %s (%s)", name, typ, want, render(got[name]))
		}
	}
	if n := got["big"].(*types.AttributeValueMemberN).Value; n != "18446744073709551615" {
		t.Errorf("big = %s", n)
	}
	for _, absent := range []string{"Internal", "optional"} {
		if _, ok := got[absent]; ok {
			t.Errorf("attribute %s should not be stored", absent)
		}
	}

	var out profile
	if err := attributevalue.UnmarshalMap(got, &out); err != nil {
		t.Fatalf("UnmarshalMap: %v", err)
	}
	want := in
	want.Internal = ""
	want.sortSets()
	out.sortSets()
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("round trip changed the struct:\n got  %+v\n want %+v", out, want)
	}
}

// Why: a GetItem of a key that was never written succeeds with no Item at all (not an error and
// not an empty item), which is how Go code tells "not found".
func TestGetMissingItem(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	out, err := c.GetItem(testCtx(t), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: keyOf(uniqueKey("missing")), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	if out.Item != nil {
		t.Fatalf("GetItem of a missing key returned %s", renderItem(out.Item))
	}
}

// Why: DeleteItem with ReturnValues ALL_OLD hands back the deleted item (and nothing when there
// was none), which delete-and-archive code relies on.
func TestDeleteItemReturnsAllOld(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("del")
	item := map[string]types.AttributeValue{
		"pk":    avS(key),
		"n":     avN("7"),
		"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{avS("a"), avN("1")}},
		"flags": &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	out, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(table), Key: keyOf(key), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatalf("DeleteItem: %v", err)
	}
	assertItem(t, "DeleteItem ALL_OLD", out.Attributes, item)
	if got := getConsistent(t, c, table, keyOf(key)); got != nil {
		t.Fatalf("item still there after DeleteItem: %s", renderItem(got))
	}
	out, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(table), Key: keyOf(key), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatalf("second DeleteItem: %v", err)
	}
	if len(out.Attributes) != 0 {
		t.Fatalf("DeleteItem of a missing item returned %s", renderItem(out.Attributes))
	}
}

// Why: the expression builder generates #n/:v placeholders for SET (including a nested path),
// ADD (number and string set) and REMOVE; ALL_NEW must show the whole new item and UPDATED_OLD
// only the old values of the attributes the update touched.
func TestUpdateItemExpressionBuilder(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("upd")
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk":       avS(key),
		"name":     avS("old"),
		"count":    avN("5"),
		"tags":     &types.AttributeValueMemberSS{Value: []string{"a"}},
		"obsolete": avS("x"),
		"info":     &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"city": avS("Oslo"), "zip": avS("0150")}},
	}}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	update := expression.Set(expression.Name("name"), expression.Value("new")).
		Set(expression.Name("info.city"), expression.Value("Paris")).
		Add(expression.Name("count"), expression.Value(3)).
		Add(expression.Name("tags"), expression.Value(stringSet{"b", "c"})).
		Remove(expression.Name("obsolete"))
	expr, err := expression.NewBuilder().
		WithUpdate(update).
		WithCondition(expression.AttributeExists(expression.Name("pk"))).
		Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatalf("UpdateItem %s: %v", aws.ToString(expr.Update()), err)
	}
	want := map[string]types.AttributeValue{
		"pk":    avS(key),
		"name":  avS("new"),
		"count": avN("8"),
		"tags":  &types.AttributeValueMemberSS{Value: []string{"a", "b", "c"}},
		"info":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"city": avS("Paris"), "zip": avS("0150")}},
	}
	assertItem(t, "UpdateItem ALL_NEW", out.Attributes, want)
	assertItem(t, "item after UpdateItem", getConsistent(t, c, table, keyOf(key)), want)

	var decoded struct {
		Name  string   `dynamodbav:"name"`
		Count int      `dynamodbav:"count"`
		Tags  []string `dynamodbav:"tags,stringset"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &decoded); err != nil {
		t.Fatalf("UnmarshalMap of ALL_NEW: %v", err)
	}
	sort.Strings(decoded.Tags)
	if decoded.Name != "new" || decoded.Count != 8 || !reflect.DeepEqual(decoded.Tags, []string{"a", "b", "c"}) {
		t.Fatalf("decoded ALL_NEW = %+v", decoded)
	}

	// UPDATED_OLD: the previous values of exactly the attributes this update changes.
	expr, err = expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name("name"), expression.Value("newer")).
			Add(expression.Name("count"), expression.Value(-2)).
			Set(expression.Name("fresh"), expression.Value(true))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	out, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueUpdatedOld,
	})
	if err != nil {
		t.Fatalf("UpdateItem UPDATED_OLD: %v", err)
	}
	// "fresh" did not exist before, so it has no old value to return.
	assertItem(t, "UpdateItem UPDATED_OLD", out.Attributes, map[string]types.AttributeValue{
		"name": avS("new"), "count": avN("8")})
}

// Why: UpdateItem of a key that does not exist creates the item (an upsert), so an ADD counter
// needs no separate create step.
func TestUpdateItemCreatesMissingItem(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	key := uniqueKey("upsert")
	expr, err := expression.NewBuilder().WithUpdate(
		expression.Add(expression.Name("hits"), expression.Value(1))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	out, err := c.UpdateItem(testCtx(t), &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatalf("UpdateItem: %v", err)
	}
	assertItem(t, "ALL_NEW of a created item", out.Attributes, map[string]types.AttributeValue{
		"pk": avS(key), "hits": avN("1")})
}

// Why: DynamoDB stores numbers, not their spelling: "00042" comes back "42", also inside sets,
// in ReturnValues and as a key ("007" and "7" are one sort key).
func TestNumberCanonicalForm(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("num")
	in := map[string]types.AttributeValue{
		"pk": avS(key), "a": avN("00042"), "b": avN("1.50"), "c": avN("-0"), "d": avN("1E+2"),
		"e": avN("-00012.3400"), "f": avN("0.000"),
		"set": &types.AttributeValueMemberNS{Value: []string{"007", "2.50"}},
	}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: in}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	want := map[string]types.AttributeValue{
		"pk": avS(key), "a": avN("42"), "b": avN("1.5"), "c": avN("0"), "d": avN("100"),
		"e": avN("-12.34"), "f": avN("0"),
		"set": &types.AttributeValueMemberNS{Value: []string{"7", "2.5"}},
	}
	assertItem(t, "stored numbers", getConsistent(t, c, table, keyOf(key)), want)

	var decoded struct {
		A int     `dynamodbav:"a"`
		B float64 `dynamodbav:"b"`
	}
	if err := attributevalue.UnmarshalMap(want, &decoded); err != nil || decoded.A != 42 || decoded.B != 1.5 {
		t.Fatalf("UnmarshalMap = %+v, %v", decoded, err)
	}

	out, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          aws.String("SET a = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": avN("0099.000")},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		t.Fatalf("UpdateItem: %v", err)
	}
	assertItem(t, "UPDATED_NEW", out.Attributes, map[string]types.AttributeValue{"a": avN("99")})

	// A numeric sort key: written as "007", read back as "7".
	sn := sharedTable(t, "pk-sk", hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
	item := map[string]types.AttributeValue{"pk": avS(key), "sk": avN("007"), "v": avS("seven")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(sn), Item: item}); err != nil {
		t.Fatalf("PutItem with sort key 007: %v", err)
	}
	got := getConsistent(t, c, sn, map[string]types.AttributeValue{"pk": avS(key), "sk": avN("7.0")})
	assertItem(t, "item read with sort key 7.0", got, map[string]types.AttributeValue{
		"pk": avS(key), "sk": avN("7"), "v": avS("seven")})
}

// Why: in a hash+range table items with the same hash key and different sort keys are
// distinct items; a GetItem needs both key parts.
func TestHashRangeItemsAreDistinct(t *testing.T) {
	c := newClient(t)
	sn := sharedTable(t, "pk-sk", hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
	ctx := testCtx(t)
	key := uniqueKey("hr")
	for _, sk := range []string{"1", "2", "-3.5"} {
		item := map[string]types.AttributeValue{"pk": avS(key), "sk": avN(sk), "label": avS("item " + sk)}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(sn), Item: item}); err != nil {
			t.Fatalf("PutItem sk=%s: %v", sk, err)
		}
	}
	for _, sk := range []string{"1", "2", "-3.5"} {
		got := getConsistent(t, c, sn, map[string]types.AttributeValue{"pk": avS(key), "sk": avN(sk)})
		assertItem(t, "item sk="+sk, got, map[string]types.AttributeValue{"pk": avS(key), "sk": avN(sk), "label": avS("item " + sk)})
	}
	_, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(sn), Key: keyOf(key)})
	assertValidation(t, err, "The provided key element does not match the schema")
}

// With EnableAcceptEncodingGzip the Go SDK asks for gzip responses and checks x-amz-crc32 against
// the compressed bytes: a large GetItem must come back compressed, verified and intact.
func TestLargeItemThroughCompressedResponse(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	pk := uniqueKey("gzip")
	blob := make([]byte, 0, 64*1024)
	for len(blob) < 60*1024 {
		blob = append(blob, "ddbd compresses responses of 4 KB or more; "...)
	}
	item := map[string]types.AttributeValue{"pk": avS(pk), "blob": avS(string(blob))}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	var encoding string
	capture := func(o *dynamodb.Options) {
		o.EnableAcceptEncodingGzip = true
		o.HTTPClient = &encodingRecorder{next: o.HTTPClient, seen: &encoding}
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: keyOf(pk),
		ConsistentRead: aws.Bool(true)}, capture)
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	assertItem(t, "large item", got.Item, item)
	if encoding != "gzip" {
		t.Fatalf("Content-Encoding of a 60 KB response = %q, want gzip", encoding)
	}
}

// encodingRecorder passes requests on and notes the Content-Encoding of the response.
type encodingRecorder struct {
	next dynamodb.HTTPClient
	seen *string
}

func (r *encodingRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.next.Do(req)
	if resp != nil {
		*r.seen = resp.Header.Get("Content-Encoding")
	}
	return resp, err
}
