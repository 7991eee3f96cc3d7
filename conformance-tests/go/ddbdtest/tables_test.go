// Table operations through the Go SDK: CreateTable, DescribeTable (with the SDK's waiters),
// ListTables and DeleteTable, and the typed errors they produce.
package ddbdtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func describeKeySchema(desc *types.TableDescription) string {
	var parts []string
	for _, k := range desc.KeySchema {
		parts = append(parts, aws.ToString(k.AttributeName)+":"+string(k.KeyType))
	}
	return strings.Join(parts, ",")
}

func describeAttributes(desc *types.TableDescription) map[string]types.ScalarAttributeType {
	out := map[string]types.ScalarAttributeType{}
	for _, a := range desc.AttributeDefinitions {
		out[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	return out
}

func checkOnDemandTable(t *testing.T, desc *types.TableDescription, name, keySchema string, attrs map[string]types.ScalarAttributeType) {
	t.Helper()
	if got := aws.ToString(desc.TableName); got != name {
		t.Fatalf("TableName = %q, want %q", got, name)
	}
	if desc.TableStatus != types.TableStatusActive {
		t.Fatalf("TableStatus = %q after the waiter, want ACTIVE", desc.TableStatus)
	}
	if got := describeKeySchema(desc); got != keySchema {
		t.Fatalf("KeySchema = %s, want %s", got, keySchema)
	}
	got := describeAttributes(desc)
	if len(got) != len(attrs) {
		t.Fatalf("AttributeDefinitions = %v, want %v", got, attrs)
	}
	for k, v := range attrs {
		if got[k] != v {
			t.Fatalf("AttributeDefinitions = %v, want %v", got, attrs)
		}
	}
	if desc.BillingModeSummary == nil || desc.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Fatalf("BillingModeSummary = %+v, want PAY_PER_REQUEST", desc.BillingModeSummary)
	}
	if arn := aws.ToString(desc.TableArn); !strings.HasPrefix(arn, "arn:aws:dynamodb:") || !strings.HasSuffix(arn, ":table/"+name) {
		t.Fatalf("TableArn = %q", arn)
	}
	if desc.CreationDateTime == nil || desc.CreationDateTime.IsZero() {
		t.Fatalf("CreationDateTime missing")
	}
}

// Why: the smallest real table (string hash key, on demand) must come back from the
// TableExists waiter ACTIVE with the schema and billing mode it was created with.
func TestCreateTableHashOnly(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("hash")
	out, err := c.CreateTable(testCtx(t), createTableInput(name, hashKey("pk", types.ScalarAttributeTypeS)))
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() { deleteTableQuietly(c, name) })
	if s := out.TableDescription.TableStatus; s != types.TableStatusCreating && s != types.TableStatusActive {
		t.Fatalf("CreateTable status = %q, want CREATING or ACTIVE", s)
	}
	desc, err := waitActive(testCtx(t), c, name)
	if err != nil {
		t.Fatalf("TableExists waiter: %v", err)
	}
	checkOnDemandTable(t, desc, name, "pk:HASH", map[string]types.ScalarAttributeType{"pk": types.ScalarAttributeTypeS})
}

// Why: a composite key (S hash, N range) must be described in HASH, RANGE order with both
// attribute definitions, whatever order the SDK serialises them in.
func TestCreateTableHashRange(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("hashrange")
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS), hashKey("sk", types.ScalarAttributeTypeN))
	out, err := c.DescribeTable(testCtx(t), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	checkOnDemandTable(t, out.Table, name, "pk:HASH,sk:RANGE", map[string]types.ScalarAttributeType{
		"pk": types.ScalarAttributeTypeS, "sk": types.ScalarAttributeTypeN})
}

// Why: the SDK's ListTables paginator follows LastEvaluatedTableName; with one-name pages it
// must still find every table and never repeat one.
func TestListTablesPaginates(t *testing.T) {
	c := newClient(t)
	a, b := uniqueTableName("list-a"), uniqueTableName("list-b")
	createTable(t, c, a, hashKey("pk", types.ScalarAttributeTypeS))
	createTable(t, c, b, hashKey("pk", types.ScalarAttributeTypeS))

	seen := map[string]bool{}
	pages := 0
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("ListTables page %d: %v", pages, err)
		}
		pages++
		if len(page.TableNames) > 1 {
			t.Fatalf("Limit 1 returned %d names", len(page.TableNames))
		}
		for _, n := range page.TableNames {
			if seen[n] {
				t.Fatalf("ListTables returned %s twice", n)
			}
			seen[n] = true
		}
	}
	if !seen[a] || !seen[b] {
		t.Fatalf("ListTables missed %s or %s (saw %d tables in %d pages)", a, b, len(seen), pages)
	}
	if pages < 2 {
		t.Fatalf("Limit 1 with at least two tables took %d page(s)", pages)
	}
}

// Why: creating a table that exists must surface as the typed ResourceInUseException, which
// set-up code catches to make table creation idempotent.
func TestCreateExistingTableIsResourceInUse(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("dup")
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS))
	_, err := c.CreateTable(testCtx(t), createTableInput(name, hashKey("pk", types.ScalarAttributeTypeS)))
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Fatalf("expected *types.ResourceInUseException, got %T: %v", err, err)
	}
}

// Why: after DeleteTable (and the TableNotExists waiter) the table is gone for every operation,
// reported as the typed ResourceNotFoundException that callers test with errors.As.
func TestDeleteTableThenResourceNotFound(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("delete")
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS))
	ctx := testCtx(t)
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: keyOf("k")}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}

	out, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DeleteTable: %v", err)
	}
	if got := aws.ToString(out.TableDescription.TableName); got != name {
		t.Fatalf("DeleteTable described %q, want %q", got, name)
	}
	if err := waitGone(ctx, c, name); err != nil {
		t.Fatalf("TableNotExists waiter: %v", err)
	}

	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("DescribeTable of a deleted table: expected *types.ResourceNotFoundException, got %T: %v", err, err)
	}
	// The real service adds ": Table: <name> not found" for DescribeTable.
	if !strings.HasPrefix(rnf.ErrorMessage(), "Requested resource not found") {
		t.Fatalf("ResourceNotFoundException message = %q", rnf.ErrorMessage())
	}

	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(name), Key: keyOf("k")})
	if !errors.As(err, &rnf) {
		t.Fatalf("GetItem on a deleted table: expected *types.ResourceNotFoundException, got %T: %v", err, err)
	}
	_, err = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	if !errors.As(err, &rnf) {
		t.Fatalf("DeleteTable of a deleted table: expected *types.ResourceNotFoundException, got %T: %v", err, err)
	}
}

// Why: a GlobalSecondaryIndexUpdates entry is one action. The Go structs let a caller fill in
// both Delete and Update of one entry; the service refuses that, and the index must survive
// (ddbd once ran both and dropped it). Unchanged throughput is refused too, by its message.
func TestUpdateTableOneActionPerIndexUpdate(t *testing.T) {
	c := newClient(t)
	ctx := testCtx(t)
	name := uniqueTableName("gsi-upd")
	throughput := func(r, w int64) *types.ProvisionedThroughput {
		return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(r), WriteCapacityUnits: aws.Int64(w)}
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		},
		ProvisionedThroughput: throughput(5, 5),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:             aws.String("by_g"),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}},
			Projection:            &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
			ProvisionedThroughput: throughput(3, 3),
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() { deleteTableQuietly(c, name) })
	if _, err := waitActive(ctx, c, name); err != nil {
		t.Fatalf("waiting for %s: %v", name, err)
	}

	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String(name),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
			Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("by_g")},
			Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("by_g"), ProvisionedThroughput: throughput(4, 4)},
		}},
	})
	assertValidation(t, err, "One or more parameter values were invalid: Only one global secondary "+
		"index action is allowed per GlobalSecondaryIndexUpdate object")

	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{
		TableName: aws.String(name),
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{
			Update: &types.UpdateGlobalSecondaryIndexAction{IndexName: aws.String("by_g"), ProvisionedThroughput: throughput(3, 3)},
		}},
	})
	assertValidation(t, err, "The provisioned throughput for the index by_g will not change. The requested "+
		"value equals the current value. Current ReadCapacityUnits provisioned for index by_g: 3. Requested "+
		"ReadCapacityUnits: 3. Current WriteCapacityUnits provisioned for index by_g: 3. Requested "+
		"WriteCapacityUnits: 3. Refer to the Amazon DynamoDB Developer Guide for current limits and how to "+
		"request higher limits.")

	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	gsis := out.Table.GlobalSecondaryIndexes
	if len(gsis) != 1 || aws.ToString(gsis[0].IndexName) != "by_g" ||
		aws.ToInt64(gsis[0].ProvisionedThroughput.ReadCapacityUnits) != 3 {
		t.Fatalf("GlobalSecondaryIndexes after the refused updates = %+v", gsis)
	}
}
