package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/spvcheck/spvcheck/ops"
)

// benchClients is the number of concurrent keep-alive clients.
const benchClients = 64

// BenchmarkNameLookup measures GET /v1/names/{name} for random names of a
// 100,000-name store (500 with -short) served by Serve on loopback, from
// 64 concurrent keep-alive clients, while a writer applies a block of name
// updates every 20 ms. The same clients then fetch a fixed body of the
// same size from a bare net/http server: the ceiling. b.N is the number of
// requests of each run. Reported: req/s, p50 and p99 latency, the ratio of
// req/s to the ceiling's, and the peak RSS of the measured phase (Linux).
// Results: PERFORMANCE.md.
func BenchmarkNameLookup(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 500
	}
	w := newWorldIn(b, filepath.Join(b.TempDir(), "db"), vfs.Default)
	names := buildNames(b, w, n)
	srv, err := New(Config{Store: w.st, Params: w.p, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	addr, stop := benchServe(b, srv)
	defer stop()
	// A sample answer gives the ceiling's body size.
	sample := benchGet(b, &http.Client{}, "http://"+addr+"/v1/names/"+names[0])
	fixed := []byte(strings.Repeat("x", len(sample)))
	ceilAddr, stopCeil := benchServe(b, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Content-Length", strconv.Itoa(len(fixed)))
		rw.Write(fixed)
	}))
	defer stopCeil()

	// The measured phase's peak: drop what building the store left behind.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	// The writer: one block of updates every 20 ms while the clients run.
	ctx, cancel := context.WithCancel(context.Background())
	writerDone := make(chan int)
	go func() {
		blocks := 0
		defer func() { writerDone <- blocks }()
		owners := make(map[string]key)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for ctx.Err() == nil {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			var list []ops.Op
			for j := range 10 {
				i := (blocks*10 + j) % len(names)
				k, ok := owners[names[i]]
				if !ok {
					k = fastKey(w.p, i)
					owners[names[i]] = k
				}
				list = append(list, w.update(k, names[i], fmt.Sprintf("%040x", blocks*10+j+1)))
			}
			w.blockAny(list...)
			blocks++
		}
	}()
	// Sample the Go runtime's own footprint (heap, stacks, its metadata)
	// to tell it apart from memory outside it (Pebble's C-allocated cache).
	var goPeak uint64
	sampleDone := make(chan struct{})
	go func() {
		defer close(sampleDone)
		var ms runtime.MemStats
		for ctx.Err() == nil {
			runtime.ReadMemStats(&ms)
			goPeak = max(goPeak, ms.Sys-ms.HeapReleased)
			time.Sleep(50 * time.Millisecond)
		}
	}()
	b.ResetTimer()
	api := runClients(b, "http://"+addr+"/v1/names/", names, b.N)
	b.StopTimer()
	if path := os.Getenv("SPVCHECK_API_HEAPPROFILE"); path != "" {
		writeHeapProfile(b, path)
	}
	cancel()
	blocks := <-writerDone
	<-sampleDone
	rss := peakRSS()
	ceil := runClients(b, "http://"+ceilAddr+"/v1/names/", names, b.N)

	b.ReportMetric(api.rps, "req/s")
	b.ReportMetric(float64(api.p50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(api.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(ceil.rps, "ceiling-req/s")
	b.ReportMetric(api.rps/ceil.rps, "ratio")
	b.ReportMetric(float64(ceil.p99.Microseconds())/1000, "ceiling-p99-ms")
	if rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
	b.ReportMetric(float64(goPeak)/(1<<20), "peak-Go-MiB")
	b.ReportMetric(float64(blocks), "blocks")
	b.ReportMetric(float64(len(sample)), "body-bytes")
}

// buildNames launches namespace "id" and registers n names, each with its
// own owner, 2,000 a block.
func buildNames(b *testing.B, w *world, n int) []string {
	b.Helper()
	alice, bob := newKey(w.p, "alice"), newKey(w.p, "bob")
	w.skipTo(322)
	w.launch(alice, bob, "id", 60000)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%06d.id", i)
	}
	const batch = 2000
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		var pre, reg []ops.Op
		for i := lo; i < hi; i++ {
			k := fastKey(w.p, i)
			pre = append(pre, w.preorder(k, k, names[i]))
			reg = append(reg, register(k, k, names[i]))
		}
		w.block(pre...)
		w.block(reg...)
	}
	return names
}

func benchServe(b *testing.B, h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Serve(ctx, ln, h, Limits{MaxConns: 2 * benchClients})
	}()
	return ln.Addr().String(), func() { cancel(); <-done }
}

func benchGet(b *testing.B, c *http.Client, u string) []byte {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("%s: %d %v", u, resp.StatusCode, err)
	}
	return body
}

type runResult struct {
	rps      float64
	p50, p99 time.Duration
}

// runClients issues total requests for random names from benchClients
// keep-alive clients and measures them.
func runClients(b *testing.B, base string, names []string, total int) runResult {
	total = max(total, benchClients)
	var wg sync.WaitGroup
	lat := make([][]time.Duration, benchClients)
	errs := make(chan error, benchClients)
	start := time.Now()
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			per := total / benchClients
			ls := make([]time.Duration, 0, per)
			for range per {
				u := base + names[rng.IntN(len(names))]
				t0 := time.Now()
				resp, err := client.Get(u)
				if err != nil {
					errs <- err
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					errs <- fmt.Errorf("%s: %d %v", u, resp.StatusCode, err)
					return
				}
				ls = append(ls, time.Since(t0))
			}
			lat[c] = ls
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pick := func(q float64) time.Duration { return all[min(len(all)-1, int(q*float64(len(all))))] }
	return runResult{rps: float64(len(all)) / elapsed.Seconds(), p50: pick(0.50), p99: pick(0.99)}
}

// resetPeakRSS restarts the kernel's peak-RSS count of this process
// (Linux; a no-op elsewhere).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set since the last reset, in
// bytes (VmHWM; 0 where unknown).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// writeHeapProfile writes the live heap (for finding what the measured
// phase holds).
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}
