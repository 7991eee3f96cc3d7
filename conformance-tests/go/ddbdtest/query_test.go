// Query and Scan as Go applications write them: the SDK's Query and Scan paginators, key
// conditions, filters and projections from the expression builder, results decoded with
// attributevalue.UnmarshalListOfMaps, a GSI query, a parallel scan in goroutines and the typed
// ValidationException for a key condition without the partition key.
package ddbdtest

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// queryOrder is one item of the hash+range test tables (pk S, sk N).
type queryOrder struct {
	PK    string  `dynamodbav:"pk"`
	SK    int     `dynamodbav:"sk"`
	Kind  string  `dynamodbav:"kind"`
	Name  string  `dynamodbav:"name"`
	Price float64 `dynamodbav:"price"`
}

func makeOrder(pk string, i int) queryOrder {
	kinds := []string{"book", "game", "tool"}
	return queryOrder{PK: pk, SK: i, Kind: kinds[i%3], Name: fmt.Sprintf("order %d", i), Price: float64(i) + 0.25}
}

// putOrders writes n orders 0..n-1 of partition pk, in scrambled order (the sort order of
// results must come from the keys, not from insertion).
func putOrders(t *testing.T, c *dynamodb.Client, table, pk string, n int) []queryOrder {
	t.Helper()
	ctx := testCtx(t)
	orders := make([]queryOrder, n)
	for j := 0; j < n; j++ {
		i := (j * 7) % n
		if n%7 == 0 {
			i = n - 1 - j
		}
		orders[i] = makeOrder(pk, i)
		item, err := attributevalue.MarshalMap(orders[i])
		if err != nil {
			t.Fatalf("MarshalMap: %v", err)
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
			t.Fatalf("PutItem %s/%d: %v", pk, i, err)
		}
	}
	return orders
}

func hashRangeTable(t *testing.T, c *dynamodb.Client, tag string) string {
	t.Helper()
	name := uniqueTableName(tag)
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
	return name
}

func skOf(t *testing.T, item map[string]types.AttributeValue) int {
	t.Helper()
	n, ok := item["sk"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("item without a numeric sk: %s", renderItem(item))
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		t.Fatalf("sk %q: %v", n.Value, err)
	}
	return v
}

func intsUpTo(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Why: NewQueryPaginator follows LastEvaluatedKey page by page; with a small Limit every item of
// the partition must come back exactly once, in ascending sort-key order, and nothing from the
// neighbouring partition.
func TestQueryPaginatorWalksAllPages(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "qpage")
	putOrders(t, c, table, "p", 25)
	putOrders(t, c, table, "neighbour", 3)

	p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": avS("p")},
		ConsistentRead:            aws.Bool(true),
		Limit:                     aws.Int32(4),
	})
	ctx := testCtx(t)
	var got []int
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(out.Items) > 4 || int(out.Count) != len(out.Items) {
			t.Fatalf("page %d: %d items, Count %d (Limit 4)", pages, len(out.Items), out.Count)
		}
		for _, item := range out.Items {
			got = append(got, skOf(t, item))
		}
		if pages > 100 {
			t.Fatalf("the paginator does not terminate")
		}
	}
	if !reflect.DeepEqual(got, intsUpTo(25)) {
		t.Fatalf("sort keys over all pages = %v, want 0..24 in order", got)
	}
	if pages != 7 {
		t.Fatalf("%d pages, want 7 (25 items, Limit 4)", pages)
	}
}

// Why: NewScanPaginator walks the whole table; every item must be returned exactly once.
func TestScanPaginatorWalksAllPages(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "spage")
	putOrders(t, c, table, "a", 17)
	putOrders(t, c, table, "b", 13)

	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{
		TableName:      aws.String(table),
		ConsistentRead: aws.Bool(true),
		Limit:          aws.Int32(6),
	})
	ctx := testCtx(t)
	seen := map[string]int{}
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(out.Items) > 6 {
			t.Fatalf("page %d has %d items (Limit 6)", pages, len(out.Items))
		}
		var orders []queryOrder
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &orders); err != nil {
			t.Fatalf("UnmarshalListOfMaps: %v", err)
		}
		for _, o := range orders {
			seen[fmt.Sprintf("%s/%d", o.PK, o.SK)]++
		}
		if pages > 100 {
			t.Fatalf("the paginator does not terminate")
		}
	}
	if len(seen) != 30 {
		t.Fatalf("scan returned %d distinct items, want 30: %v", len(seen), seen)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("item %s returned %d times", k, n)
		}
	}
	if pages < 5 {
		t.Fatalf("%d pages for 30 items with Limit 6", pages)
	}
}

// Why: the expression builder's key condition (pk = AND sk BETWEEN), filter and projection are
// combined into one Query with generated #/: placeholders; Count counts what the filter kept and
// ScannedCount what the key condition read.
func TestQueryExpressionBuilderKeyFilterProjection(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "qexpr")
	putOrders(t, c, table, "p", 20)

	keyCond := expression.Key("pk").Equal(expression.Value("p")).
		And(expression.Key("sk").Between(expression.Value(5), expression.Value(14)))
	filter := expression.Name("kind").Equal(expression.Value("game"))
	proj := expression.NamesList(expression.Name("sk"), expression.Name("name"), expression.Name("kind"))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).WithFilter(filter).WithProjection(proj).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	out, err := c.Query(testCtx(t), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ProjectionExpression:      expr.Projection(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query %s / %s: %v", aws.ToString(expr.KeyCondition()), aws.ToString(expr.Filter()), err)
	}
	// sk 5..14 read (10 items); "game" is i%3 == 1: 7, 10, 13.
	if out.ScannedCount != 10 || out.Count != 3 {
		t.Fatalf("Count %d, ScannedCount %d; want 3 and 10", out.Count, out.ScannedCount)
	}
	var got []int
	for _, item := range out.Items {
		got = append(got, skOf(t, item))
		if len(item) != 3 || item["name"] == nil || item["kind"] == nil {
			t.Errorf("projection of sk, name, kind returned %s", renderItem(item))
		}
	}
	if !reflect.DeepEqual(got, []int{7, 10, 13}) {
		t.Fatalf("sort keys = %v, want [7 10 13]", got)
	}
	if out.LastEvaluatedKey != nil {
		t.Fatalf("unexpected LastEvaluatedKey %s", renderItem(out.LastEvaluatedKey))
	}
}

// Why: Go code decodes a whole result page into a slice of structs with UnmarshalListOfMaps;
// a descending query must decode to exactly the stored structs, newest first.
func TestQueryUnmarshalListOfMapsDescending(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "qstruct")
	orders := putOrders(t, c, table, "p", 12)

	expr, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("pk").Equal(expression.Value("p")).
			And(expression.Key("sk").GreaterThanEqual(expression.Value(8)))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	out, err := c.Query(testCtx(t), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	var got []queryOrder
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &got); err != nil {
		t.Fatalf("UnmarshalListOfMaps: %v", err)
	}
	want := []queryOrder{orders[11], orders[10], orders[9], orders[8]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded items:\n got  %+v\n want %+v", got, want)
	}

	// Select COUNT: the same query counts without returning items.
	out, err = c.Query(testCtx(t), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		Select:                    types.SelectCount,
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("Query Select COUNT: %v", err)
	}
	if out.Count != 4 || out.ScannedCount != 4 || len(out.Items) != 0 {
		t.Fatalf("Select COUNT: Count %d, ScannedCount %d, %d items", out.Count, out.ScannedCount, len(out.Items))
	}
}

// Why: a GSI declared in CreateTableInput is queried with IndexName: results come back in index
// sort-key order, items without the index key are absent, and a page's LastEvaluatedKey holds
// the index keys and the table keys. GSI reads are eventually consistent, so the first read
// retries briefly.
func TestQueryGlobalSecondaryIndex(t *testing.T) {
	c := newClient(t)
	ctx := testCtx(t)
	name := uniqueTableName("qgsi")
	in := createTableInput(name, hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
	in.AttributeDefinitions = append(in.AttributeDefinitions,
		types.AttributeDefinition{AttributeName: aws.String("kind"), AttributeType: types.ScalarAttributeTypeS},
		types.AttributeDefinition{AttributeName: aws.String("price"), AttributeType: types.ScalarAttributeTypeN})
	in.GlobalSecondaryIndexes = []types.GlobalSecondaryIndex{{
		IndexName: aws.String("by_kind"),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("kind"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("price"), KeyType: types.KeyTypeRange},
		},
		Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
	}}
	if _, err := c.CreateTable(ctx, in); err != nil {
		t.Fatalf("CreateTable with a GSI: %v", err)
	}
	t.Cleanup(func() { deleteTableQuietly(c, name) })
	waitIndexesActive(t, c, name)

	orders := putOrders(t, c, name, "p", 9) // kinds book (0, 3, 6), game (1, 4, 7), tool (2, 5, 8)
	// Same kind, no price: not in the index.
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]types.AttributeValue{
		"pk": avS("q"), "sk": avN("1"), "kind": avS("game")}}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	expr, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("kind").Equal(expression.Value("game"))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	input := dynamodb.QueryInput{
		TableName:                 aws.String(name),
		IndexName:                 aws.String("by_kind"),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}
	var got []queryOrder
	deadline := time.Now().Add(20 * time.Second)
	for {
		q := input
		out, err := c.Query(ctx, &q)
		if err != nil {
			t.Fatalf("Query on the GSI: %v", err)
		}
		got = nil
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &got); err != nil {
			t.Fatalf("UnmarshalListOfMaps: %v", err)
		}
		if len(got) == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if want := []queryOrder{orders[1], orders[4], orders[7]}; !reflect.DeepEqual(got, want) {
		t.Fatalf("GSI query:\n got  %+v\n want %+v", got, want)
	}

	q := input
	q.Limit = aws.Int32(1)
	out, err := c.Query(ctx, &q)
	if err != nil {
		t.Fatalf("Query on the GSI with Limit 1: %v", err)
	}
	assertItem(t, "GSI LastEvaluatedKey", out.LastEvaluatedKey, map[string]types.AttributeValue{
		"kind": avS("game"), "price": avN("1.25"), "pk": avS("p"), "sk": avN("1")})
	q = input
	q.ExclusiveStartKey = out.LastEvaluatedKey
	out, err = c.Query(ctx, &q)
	if err != nil {
		t.Fatalf("Query on the GSI from the LastEvaluatedKey: %v", err)
	}
	var rest []int
	for _, item := range out.Items {
		rest = append(rest, skOf(t, item))
	}
	if !reflect.DeepEqual(rest, []int{4, 7}) {
		t.Fatalf("GSI query after the first page returned sort keys %v, want [4 7]", rest)
	}
}

// waitIndexesActive waits for the table and then for every GSI to be ACTIVE (the real service
// may report the table ACTIVE a little before its indexes).
func waitIndexesActive(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	ctx := testCtx(t)
	desc, err := waitActive(ctx, c, name)
	if err != nil {
		t.Fatalf("waiting for %s to become ACTIVE: %v", name, err)
	}
	for i := 0; ; i++ {
		active := true
		for _, g := range desc.GlobalSecondaryIndexes {
			active = active && g.IndexStatus == types.IndexStatusActive
		}
		if active {
			return
		}
		if i > 600 {
			t.Fatalf("the GSIs of %s never became ACTIVE", name)
		}
		time.Sleep(time.Second)
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeTable: %v", err)
		}
		desc = out.Table
	}
}

// Why: a parallel scan gives each goroutine one Segment of TotalSegments; each worker pages its
// segment to the end, and together they must return every item exactly once.
func TestParallelScanSegments(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "pscan")
	for _, pk := range []string{"a", "b", "c", "d", "e"} {
		putOrders(t, c, table, pk, 8)
	}

	const total = 4
	ctx := testCtx(t)
	results := make([][]string, total)
	errs := make([]error, total)
	var wg sync.WaitGroup
	for seg := 0; seg < total; seg++ {
		wg.Add(1)
		go func(seg int) {
			defer wg.Done()
			p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{
				TableName:      aws.String(table),
				Segment:        aws.Int32(int32(seg)),
				TotalSegments:  aws.Int32(total),
				Limit:          aws.Int32(3),
				ConsistentRead: aws.Bool(true),
			})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					errs[seg] = err
					return
				}
				var orders []queryOrder
				if err := attributevalue.UnmarshalListOfMaps(out.Items, &orders); err != nil {
					errs[seg] = err
					return
				}
				for _, o := range orders {
					results[seg] = append(results[seg], fmt.Sprintf("%s/%d", o.PK, o.SK))
				}
			}
		}(seg)
	}
	wg.Wait()
	for seg, err := range errs {
		if err != nil {
			t.Fatalf("segment %d: %v", seg, err)
		}
	}
	seen := map[string]int{}
	for _, keys := range results {
		for _, k := range keys {
			seen[k]++
		}
	}
	var want []string
	for _, pk := range []string{"a", "b", "c", "d", "e"} {
		for i := 0; i < 8; i++ {
			want = append(want, fmt.Sprintf("%s/%d", pk, i))
		}
	}
	var got []string
	for k, n := range seen {
		got = append(got, k)
		if n != 1 {
			t.Errorf("item %s returned %d times across segments", k, n)
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parallel scan returned %d distinct items, want %d:\n got  %v\n want %v", len(got), len(want), got, want)
	}
}

// Why: a key condition on the sort key alone is refused with a ValidationException that the SDK
// hands over as a smithy.APIError, naming the missing partition key.
func TestQueryWithoutPartitionKeyIsValidation(t *testing.T) {
	c := newClient(t)
	table := hashRangeTable(t, c, "qnopk")
	expr, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("sk").Equal(expression.Value(1))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	_, err = c.Query(testCtx(t), &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	assertValidation(t, err, "Query condition missed key schema element: pk")
}

// Why: a key condition built with KeyBeginsWith on a string sort key, read backwards with
// ScanIndexForward false and paged by the paginator, returns only that prefix, newest first.
func TestQueryBeginsWithBackwardsPaginated(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("qprefix")
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeS))
	ctx := testCtx(t)
	for _, sk := range []string{"2024-01-03", "2024-02-01", "2023-12-31", "2024-01-15", "2024-01-01", "2024-01"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: map[string]types.AttributeValue{
			"pk": avS("log"), "sk": avS(sk)}}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}
	want := []string{"2024-01-15", "2024-01-03", "2024-01-01", "2024-01"}

	expr, err := expression.NewBuilder().WithKeyCondition(
		expression.Key("pk").Equal(expression.Value("log")).
			And(expression.KeyBeginsWith(expression.Key("sk"), "2024-01"))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
		TableName:                 aws.String(name),
		KeyConditionExpression:    expr.KeyCondition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
		ScanIndexForward:          aws.Bool(false),
		ConsistentRead:            aws.Bool(true),
	}, func(o *dynamodb.QueryPaginatorOptions) { o.Limit = 3 })
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("Query page: %v", err)
		}
		var page []struct {
			SK string `dynamodbav:"sk"`
		}
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			t.Fatalf("UnmarshalListOfMaps: %v", err)
		}
		for _, it := range page {
			got = append(got, it.SK)
		}
		if len(got) > 100 {
			t.Fatalf("the paginator does not terminate")
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("begins_with backwards: got %v, want %v", got, want)
	}
}
