// Shared set-up for the Go SDK v2 conformance tests: client construction in the two documented
// endpoint-override styles, run-unique table and key names, create/delete helpers that also work
// against Amazon DynamoDB (tables are waited on until ACTIVE or gone), and assertions on typed
// errors and attribute values.
package ddbdtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

const (
	testRegion    = "us-east-1"
	testAccessKey = "testing"
	testSecretKey = "testing"

	// The message of every ConditionalCheckFailedException.
	conditionFailedMessage = "The conditional request failed"
	// Some regions of the real service wrap a single validation message in this envelope and
	// some do not, so validation messages are compared with it stripped.
	validationEnvelope = "1 validation error detected: "
)

var (
	endpoint = envOr("DDBD_ENDPOINT", "http://127.0.0.1:8000")
	// Unique per test process, so several runs against one server never collide.
	runID = randomHex(4)
)

func TestMain(m *testing.M) {
	if err := isolateFromLocalAWSConfig(); err != nil {
		fmt.Fprintln(os.Stderr, "set-up:", err)
		os.Exit(2)
	}
	code := m.Run()
	deleteSharedTables()
	os.Exit(code)
}

// isolateFromLocalAWSConfig keeps a developer's ~/.aws files and AWS_* variables out of the
// tests: the region (or its absence) and the credentials are exactly what each test sets.
func isolateFromLocalAWSConfig() error {
	for _, name := range []string{
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
		"AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS", "AWS_DEFAULTS_MODE",
		"AWS_ENABLE_ENDPOINT_DISCOVERY", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB",
	} {
		if err := os.Unsetenv(name); err != nil {
			return err
		}
	}
	dir, err := os.MkdirTemp("", "ddbd-go-awsconfig-")
	if err != nil {
		return err
	}
	// Paths that do not exist: the SDK then reads no shared config or credentials file.
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func randomHex(nBytes int) string {
	b := make([]byte, nBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func uniqueTableName(tag string) string {
	return fmt.Sprintf("ddbd-go-%s-%s-%s", runID, tag, randomHex(6))
}

func uniqueKey(tag string) string {
	return tag + "-" + randomHex(12)
}

// testCtx is a context that bounds every request of one test, so a hung server fails the test
// instead of the whole run.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// --- clients -------------------------------------------------------------------------------

func loadConfig(extra ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		// Any credentials work against ddbd; static ones keep the SDK off every other source.
		config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")),
		// One attempt: a server bug (bad CRC32, a 500) must not hide behind a retry.
		config.WithRetryMaxAttempts(1),
	}
	return config.LoadDefaultConfig(context.Background(), append(opts, extra...)...)
}

// clientFromURL is the per-client style: EndpointResolverFromURL in the client's options.
func clientFromURL(optFns ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	cfg, err := loadConfig(config.WithRegion(testRegion))
	if err != nil {
		return nil, err
	}
	fns := append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.EndpointResolver = dynamodb.EndpointResolverFromURL(endpoint)
	}}, optFns...)
	return dynamodb.NewFromConfig(cfg, fns...), nil
}

// newClient is the client most tests use (per-client EndpointResolverFromURL, us-east-1).
func newClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	c, err := clientFromURL()
	if err != nil {
		t.Fatalf("loading the SDK config: %v", err)
	}
	return c
}

// globalResolver is the older documented style of endpoint override: an
// aws.EndpointResolverWithOptions in the shared aws.Config. As in the SDK's documentation it
// names the signing region; with SDK 1.17 the request is otherwise signed with an empty region
// even when the config has one (see TestEmptyRegionEndpointResolver).
var globalResolver = aws.EndpointResolverWithOptionsFunc(
	func(service, region string, options ...interface{}) (aws.Endpoint, error) {
		if service == dynamodb.ServiceID {
			return aws.Endpoint{URL: endpoint, SigningRegion: region}, nil
		}
		return aws.Endpoint{}, &aws.EndpointNotFoundError{}
	})

// urlOnlyResolver is the same style as many READMEs write it: the endpoint's URL and nothing else.
var urlOnlyResolver = aws.EndpointResolverWithOptionsFunc(
	func(service, region string, options ...interface{}) (aws.Endpoint, error) {
		return aws.Endpoint{URL: endpoint}, nil
	})

// newClientGlobalResolver makes a client whose endpoint comes from the resolver in the
// aws.Config; an empty region leaves the region out of the config altogether.
func newClientGlobalResolver(t testing.TB, region string, resolver aws.EndpointResolverWithOptions,
	optFns ...func(*dynamodb.Options)) *dynamodb.Client {
	t.Helper()
	opts := []func(*config.LoadOptions) error{config.WithEndpointResolverWithOptions(resolver)}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := loadConfig(opts...)
	if err != nil {
		t.Fatalf("loading the SDK config: %v", err)
	}
	if cfg.Region != region {
		t.Fatalf("config region = %q, want %q (is the environment leaking in?)", cfg.Region, region)
	}
	return dynamodb.NewFromConfig(cfg, optFns...)
}

// --- tables --------------------------------------------------------------------------------

type keyAttr struct {
	name string
	typ  types.ScalarAttributeType
}

func hashKey(name string, typ types.ScalarAttributeType) keyAttr { return keyAttr{name, typ} }

// createTableInput is an on-demand table whose first key attribute is the hash key and whose
// second, if any, is the range key.
func createTableInput(name string, keys ...keyAttr) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
	}
	for i, k := range keys {
		kt := types.KeyTypeHash
		if i == 1 {
			kt = types.KeyTypeRange
		}
		in.KeySchema = append(in.KeySchema,
			types.KeySchemaElement{AttributeName: aws.String(k.name), KeyType: kt})
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			types.AttributeDefinition{AttributeName: aws.String(k.name), AttributeType: k.typ})
	}
	return in
}

// waitActive waits with the SDK's TableExists waiter (DynamoDB creates tables asynchronously);
// short delays keep it quick against ddbd and still polite against the real service.
func waitActive(ctx context.Context, c *dynamodb.Client, name string) (*types.TableDescription, error) {
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = time.Second
		o.MaxDelay = 5 * time.Second
	})
	out, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 3*time.Minute)
	if err != nil {
		return nil, err
	}
	return out.Table, nil
}

func waitGone(ctx context.Context, c *dynamodb.Client, name string) error {
	w := dynamodb.NewTableNotExistsWaiter(c, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay = time.Second
		o.MaxDelay = 5 * time.Second
	})
	return w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 3*time.Minute)
}

// createTable creates an on-demand table, waits until it is ACTIVE and deletes it after the test.
func createTable(t testing.TB, c *dynamodb.Client, name string, keys ...keyAttr) *types.TableDescription {
	t.Helper()
	ctx := testCtx(t)
	if _, err := c.CreateTable(ctx, createTableInput(name, keys...)); err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	t.Cleanup(func() { deleteTableQuietly(c, name) })
	desc, err := waitActive(ctx, c, name)
	if err != nil {
		t.Fatalf("waiting for %s to become ACTIVE: %v", name, err)
	}
	return desc
}

func deleteTableQuietly(c *dynamodb.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
}

// Shared tables, made on first use and deleted when the run ends; tests use unique keys in them.
var shared struct {
	sync.Mutex
	tables map[string]string
	client *dynamodb.Client
}

func sharedTable(t testing.TB, tag string, keys ...keyAttr) string {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if name, ok := shared.tables[tag]; ok {
		return name
	}
	if shared.client == nil {
		c, err := clientFromURL()
		if err != nil {
			t.Fatalf("loading the SDK config: %v", err)
		}
		shared.client = c
		shared.tables = map[string]string{}
	}
	name := uniqueTableName(tag)
	ctx := testCtx(t)
	if _, err := shared.client.CreateTable(ctx, createTableInput(name, keys...)); err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	shared.tables[tag] = name
	if _, err := waitActive(ctx, shared.client, name); err != nil {
		t.Fatalf("waiting for %s to become ACTIVE: %v", name, err)
	}
	return name
}

// hashTable is a shared table with a string hash key "pk".
func hashTable(t testing.TB) string {
	return sharedTable(t, "pk", hashKey("pk", types.ScalarAttributeTypeS))
}

func deleteSharedTables() {
	shared.Lock()
	defer shared.Unlock()
	for _, name := range shared.tables {
		deleteTableQuietly(shared.client, name)
	}
}

// --- items ---------------------------------------------------------------------------------

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func keyOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": avS(pk)}
}

// getConsistent reads one item with ConsistentRead (an eventually consistent read may miss a
// fresh write on the real service); nil when the item does not exist.
func getConsistent(t testing.TB, c *dynamodb.Client, table string, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(testCtx(t), &dynamodb.GetItemInput{
		TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem: %v", err)
	}
	return out.Item
}

// render turns attribute values into canonical text: map keys and set members sorted (DynamoDB
// promises no order for SS/NS/BS), binaries in base64. Comparing renderings compares values.
func render(av types.AttributeValue) string {
	switch v := av.(type) {
	case nil:
		return "<nil>"
	case *types.AttributeValueMemberS:
		return `{"S":` + strconv.Quote(v.Value) + `}`
	case *types.AttributeValueMemberN:
		return `{"N":` + strconv.Quote(v.Value) + `}`
	case *types.AttributeValueMemberB:
		return `{"B":"` + base64.StdEncoding.EncodeToString(v.Value) + `"}`
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf(`{"BOOL":%t}`, v.Value)
	case *types.AttributeValueMemberNULL:
		return fmt.Sprintf(`{"NULL":%t}`, v.Value)
	case *types.AttributeValueMemberSS:
		return `{"SS":` + sortedQuoted(v.Value) + `}`
	case *types.AttributeValueMemberNS:
		return `{"NS":` + sortedQuoted(v.Value) + `}`
	case *types.AttributeValueMemberBS:
		members := make([]string, len(v.Value))
		for i, b := range v.Value {
			members[i] = base64.StdEncoding.EncodeToString(b)
		}
		return `{"BS":` + sortedQuoted(members) + `}`
	case *types.AttributeValueMemberL:
		parts := make([]string, len(v.Value))
		for i, e := range v.Value {
			parts[i] = render(e)
		}
		return `{"L":[` + strings.Join(parts, ",") + `]}`
	case *types.AttributeValueMemberM:
		return `{"M":` + renderItem(v.Value) + `}`
	default:
		return fmt.Sprintf("<unknown %T>", av)
	}
}

func renderItem(item map[string]types.AttributeValue) string {
	if item == nil {
		return "<no item>"
	}
	names := make([]string, 0, len(item))
	for k := range item {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = strconv.Quote(k) + ":" + render(item[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func sortedQuoted(members []string) string {
	s := append([]string(nil), members...)
	sort.Strings(s)
	for i := range s {
		s[i] = strconv.Quote(s[i])
	}
	return "[" + strings.Join(s, ",") + "]"
}

func assertItem(t testing.TB, what string, got, want map[string]types.AttributeValue) {
	t.Helper()
	if g, w := renderItem(got), renderItem(want); g != w {
		t.Fatalf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// --- errors --------------------------------------------------------------------------------

// assertConditionFailed checks that err is the SDK's typed ConditionalCheckFailedException.
func assertConditionFailed(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected ConditionalCheckFailedException, the request succeeded")
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("expected *types.ConditionalCheckFailedException, got %T: %v", err, err)
	}
	if ccf.ErrorMessage() != conditionFailedMessage {
		t.Fatalf("ConditionalCheckFailedException message = %q, want %q", ccf.ErrorMessage(), conditionFailedMessage)
	}
}

// assertValidation checks that err is a ValidationException (it has no typed Go error: the
// SDK hands it over as a smithy.APIError) with the given message, enveloped or not.
func assertValidation(t testing.TB, err error, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected ValidationException %q, the request succeeded", message)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("expected a smithy.APIError, got %T: %v", err, err)
	}
	if apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("error code = %q (%v), want ValidationException", apiErr.ErrorCode(), err)
	}
	if got := strings.TrimPrefix(apiErr.ErrorMessage(), validationEnvelope); got != message {
		t.Fatalf("ValidationException message:\n got  %q\n want %q", apiErr.ErrorMessage(), message)
	}
}
