// Errors as Go code sees them: typed exceptions matched with errors.As, ValidationException as
// a smithy.APIError, and the HTTP details the SDK exposes through *awshttp.ResponseError.
package ddbdtest

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Why: a failed condition must deserialize into *types.ConditionalCheckFailedException (a 400
// with a request id, not retried), and must leave the item untouched.
func TestConditionalCheckFailedIsTyped(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("ccf")
	item := map[string]types.AttributeValue{"pk": avS(key), "state": avS("original")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	expr, err := expression.NewBuilder().
		WithCondition(expression.Name("state").Equal(expression.Value("something else"))).
		WithUpdate(expression.Set(expression.Name("state"), expression.Value("changed"))).
		Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	assertConditionFailed(t, err)

	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ConditionalCheckFailedException" {
		t.Fatalf("as smithy.APIError: %v", err)
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) {
		t.Fatalf("expected an *awshttp.ResponseError in the chain, got %T: %v", err, err)
	}
	if respErr.HTTPStatusCode() != 400 {
		t.Fatalf("HTTP status = %d, want 400", respErr.HTTPStatusCode())
	}
	if respErr.ServiceRequestID() == "" {
		t.Fatalf("no x-amzn-RequestId on the error response")
	}
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) || opErr.Service() != "DynamoDB" || opErr.Operation() != "UpdateItem" {
		t.Fatalf("expected a smithy.OperationError for DynamoDB UpdateItem, got %v", err)
	}
	assertItem(t, "item after the failed update", getConsistent(t, c, table, keyOf(key)), item)

	// The same for PutItem and DeleteItem.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(table),
		Item:                     map[string]types.AttributeValue{"pk": avS(key)},
		ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
		ExpressionAttributeNames: map[string]string{"#pk": "pk"},
	})
	assertConditionFailed(t, err)
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:           aws.String(table),
		Key:                 keyOf(key),
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	assertConditionFailed(t, err)
	assertItem(t, "item after the failed writes", getConsistent(t, c, table, keyOf(key)), item)
}

// Why: updating a key attribute is a ValidationException that has no typed Go error; callers
// match it through smithy.APIError's code, and its message names the attribute.
func TestUpdateKeyAttributeIsValidation(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("keyupd")
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: keyOf(key)}); err != nil {
		t.Fatalf("PutItem: %v", err)
	}
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name("pk"), expression.Value("other"))).Build()
	if err != nil {
		t.Fatalf("building the expression: %v", err)
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(table),
		Key:                       keyOf(key),
		UpdateExpression:          expr.Update(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	assertValidation(t, err, "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		t.Fatalf("a ValidationException must not match ConditionalCheckFailedException")
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != 400 {
		t.Fatalf("expected HTTP 400, got %v", err)
	}
}

// Why: hand-written update expressions are where typos happen; a syntax error and an undefined
// placeholder must be ValidationExceptions with DynamoDB's wording.
func TestInvalidUpdateExpressionIsValidation(t *testing.T) {
	c := newClient(t)
	table := hashTable(t)
	ctx := testCtx(t)
	key := uniqueKey("badexpr")

	_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(table),
		Key:              keyOf(key),
		UpdateExpression: aws.String("SET a = :v"),
	})
	assertValidation(t, err, "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v")

	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(table),
		Key:              keyOf(key),
		UpdateExpression: aws.String("INVALID SYNTAX"),
	})
	assertValidation(t, err, `Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"`)

	if got := getConsistent(t, c, table, keyOf(key)); got != nil {
		t.Fatalf("a rejected update created %s", renderItem(got))
	}
}

// Why: an operation on a table that does not exist is the typed ResourceNotFoundException with
// the real service's message.
func TestMissingTableIsResourceNotFound(t *testing.T) {
	c := newClient(t)
	_, err := c.GetItem(testCtx(t), &dynamodb.GetItemInput{
		TableName: aws.String(uniqueTableName("never-created")), Key: keyOf("k")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("expected *types.ResourceNotFoundException, got %T: %v", err, err)
	}
	if rnf.ErrorMessage() != "Requested resource not found" {
		t.Fatalf("message = %q, want %q", rnf.ErrorMessage(), "Requested resource not found")
	}
}
