// Package ddbdtest holds the AWS SDK for Go v2 conformance tests of ddbd.
//
// The tests live in *_test.go files and run against the DynamoDB-compatible endpoint named by
// DDBD_ENDPOINT (default http://127.0.0.1:8000); conformance-tests/go/run.sh builds and runs
// them offline in GOPATH mode with Debian's golang-github-aws-aws-sdk-go-v2-dev. Apart from
// TestEmptyRegionEndpointResolver, which relies on ddbd accepting any credential scope, every
// test is written so that it would also pass against Amazon DynamoDB.
package ddbdtest
