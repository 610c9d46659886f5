// client is a Go program traced with go2sky: a local root span, then an Exit span from go2sky's
// net/http client plugin that carries sw8 to TARGET_URL (POST). It prints the trace id it used,
// waits for the reporter to deliver, and exits 0 when the call answered 2xx.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/SkyAPM/go2sky"
	httpplugin "github.com/SkyAPM/go2sky/plugins/http"

	"skywalking-bridge/compat-tests/go/internal/agent"
)

func main() {
	target := os.Getenv("TARGET_URL")
	if target == "" {
		fmt.Fprintln(os.Stderr, "set TARGET_URL")
		os.Exit(2)
	}
	tracer, rep, err := agent.NewTracer("go-client")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := run(tracer, target)
	// go2sky hands a finished segment to its reporter asynchronously, and Close drains the
	// reporter's queue asynchronously too: give both a moment.
	time.Sleep(500 * time.Millisecond)
	rep.Close()
	time.Sleep(1500 * time.Millisecond)
	os.Exit(code)
}

func run(tracer *go2sky.Tracer, target string) int {
	root, ctx, err := tracer.CreateLocalSpan(context.Background(), go2sky.WithOperationName("go-client.run"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer root.End()
	fmt.Printf("trace %s\n", go2sky.TraceID(ctx))
	client, err := httpplugin.NewClient(tracer)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(`{"id":42}`))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	req.Header.Set("content-type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Printf("status %d %s\n", res.StatusCode, strings.TrimSpace(string(body)))
	if res.StatusCode/100 != 2 {
		return 1
	}
	return 0
}
