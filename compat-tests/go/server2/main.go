// server2 is a Go service traced with go2sky and its net/http plugin, shaped like server-2 of the
// "Go and Java services in one SkyWalking trace" walkthrough: POST /user/info answers with a
// local span inside the Entry span the plugin creates.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/SkyAPM/go2sky"
	httpplugin "github.com/SkyAPM/go2sky/plugins/http"

	"skywalking-bridge/compat-tests/go/internal/agent"
)

func main() {
	tracer, rep, err := agent.NewTracer("go-server-2")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/user/info", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		span, _, err := tracer.CreateLocalSpan(r.Context(), go2sky.WithOperationName("user.lookup"))
		if err == nil {
			span.Tag("user.id", "42")
			time.Sleep(2 * time.Millisecond)
			span.End()
		}
		w.Header().Set("content-type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"service": agent.Env("SW_AGENT_NAME", "go-server-2"),
			"traceId": go2sky.TraceID(r.Context()),
		})
	})
	middleware, err := httpplugin.NewServerMiddleware(tracer)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+agent.Env("PORT", "0"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server := &http.Server{Handler: middleware(mux)}
	go func() { _ = server.Serve(ln) }()
	fmt.Printf("go-server-2 listening on %d\n", ln.Addr().(*net.TCPAddr).Port)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
	rep.Close()
	time.Sleep(500 * time.Millisecond) // go2sky's Close drains its queue asynchronously
}
