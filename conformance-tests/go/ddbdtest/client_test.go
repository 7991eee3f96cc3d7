// Client set-up: the two documented ways of pointing the Go SDK v2 at a DynamoDB endpoint, and
// the request the SDK signs when no region is configured.
package ddbdtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// listAllTables pages through ListTables with the SDK's paginator (small pages, so paging is
// exercised even on a nearly empty server).
func listAllTables(t *testing.T, c *dynamodb.Client) []string {
	t.Helper()
	var names []string
	p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(testCtx(t))
		if err != nil {
			t.Fatalf("ListTables: %v", err)
		}
		names = append(names, page.TableNames...)
	}
	return names
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// Why: `o.EndpointResolver = dynamodb.EndpointResolverFromURL(url)` is the per-client override
// the SDK documents (1.17 has no BaseEndpoint option yet); tables made through it must list.
func TestEndpointResolverFromURL(t *testing.T) {
	c := newClient(t)
	name := uniqueTableName("ep-url")
	createTable(t, c, name, hashKey("pk", types.ScalarAttributeTypeS))
	if names := listAllTables(t, c); !containsString(names, name) {
		t.Fatalf("ListTables does not name %s: %v", name, names)
	}
}

// Why: much existing code sets the endpoint globally with config.WithEndpointResolverWithOptions
// (naming the signing region, as the SDK documents); with the same credentials and region it must
// reach the same tables as the per-client style.
func TestEndpointResolverWithOptions(t *testing.T) {
	var capture authCapture
	global := newClientGlobalResolver(t, testRegion, globalResolver, capture.option)
	perClient := newClient(t)
	name := uniqueTableName("ep-global")
	createTable(t, global, name, hashKey("pk", types.ScalarAttributeTypeS))
	if auth := capture.first(); !strings.Contains(auth, "/"+testRegion+"/dynamodb/aws4_request") {
		t.Fatalf("expected a %s credential scope, sent %q", testRegion, auth)
	}
	if names := listAllTables(t, global); !containsString(names, name) {
		t.Fatalf("ListTables does not name %s: %v", name, names)
	}
	out, err := perClient.DescribeTable(testCtx(t), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeTable through the per-client endpoint: %v", err)
	}
	if aws.ToString(out.Table.TableName) != name {
		t.Fatalf("DescribeTable named %q, want %q", aws.ToString(out.Table.TableName), name)
	}
}

// authCapture records the Authorization header of every request a client sends, as signed.
type authCapture struct {
	mu      sync.Mutex
	headers []string
}

func (a *authCapture) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		// The deserialize step runs after signing, right before the request goes out.
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ddbdCaptureAuthorization",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
				middleware.DeserializeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					a.mu.Lock()
					a.headers = append(a.headers, req.Header.Get("Authorization"))
					a.mu.Unlock()
				}
				return next.HandleDeserialize(ctx, in)
			}), middleware.After)
	})
}

func (a *authCapture) first() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.headers) == 0 {
		return ""
	}
	return a.headers[0]
}

// Why: with the global resolver returning only a URL the SDK signs with an empty region
// (Credential=KEY/date//dynamodb/aws4_request): with no region configured, and with SDK 1.17
// even when the config has one. ddbd is to accept any credential scope, so both must work
// (a ddbd without that fix answers IncompleteSignatureException). ddbd-specific: Amazon
// DynamoDB itself rejects an empty region.
func TestEmptyRegionEndpointResolver(t *testing.T) {
	for _, configRegion := range []string{"", testRegion} {
		var capture authCapture
		c := newClientGlobalResolver(t, configRegion, urlOnlyResolver, capture.option)
		if err := listCreateDescribe(t, c, "ep-noregion"); err != nil {
			t.Errorf("config region %q: %v", configRegion, err)
		}
		auth := capture.first()
		t.Logf("config region %q, Authorization sent: %s", configRegion, auth)
		if !strings.Contains(auth, "Credential="+testAccessKey+"/") || !strings.Contains(auth, "//dynamodb/aws4_request") {
			t.Errorf("config region %q: the SDK did not sign with an empty region as this test assumes: %q", configRegion, auth)
		}
	}
}

// listCreateDescribe lists tables, creates one, waits for it and describes it.
func listCreateDescribe(t *testing.T, c *dynamodb.Client, tag string) error {
	ctx := testCtx(t)
	if _, err := c.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
		return fmt.Errorf("ListTables: %w", err)
	}
	name := uniqueTableName(tag)
	if _, err := c.CreateTable(ctx, createTableInput(name, hashKey("pk", types.ScalarAttributeTypeS))); err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	t.Cleanup(func() { deleteTableQuietly(c, name) })
	if _, err := waitActive(ctx, c, name); err != nil {
		return fmt.Errorf("TableExists waiter: %w", err)
	}
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("DescribeTable: %w", err)
	}
	if aws.ToString(out.Table.TableName) != name || out.Table.TableStatus != types.TableStatusActive {
		return fmt.Errorf("DescribeTable: name %q status %q", aws.ToString(out.Table.TableName), out.Table.TableStatus)
	}
	return nil
}
