package share

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Limits of the protocol.
const (
	// MaxLeases bounds the checkpoints held at once; a reader past it is
	// told to try again.
	MaxLeases = 64
	// requestTimeout bounds how long a connection may take to send its
	// request line.
	requestTimeout = 5 * time.Second
	// maxLine bounds a request or answer line.
	maxLine = 64 << 10
	// maxSocketPath keeps the socket path under the kernel's limit for
	// sun_path (108 bytes on Linux, 104 on the BSDs).
	maxSocketPath = 100
	// readersDir is where checkpoints live inside the data directory.
	readersDir = ".readers"
)

// Info is what the holder tells readers beyond the store's contents. Every
// field is optional.
type Info struct {
	// Holder names the running command ("serve", "sync").
	Holder string `json:"holder"`
	// PID is the holder's process id.
	PID int `json:"pid"`
	// URL is the base URL of a running name server.
	URL string `json:"url,omitempty"`
	// LightClient says that the holder runs a light client on the data
	// directory's header files, which are then in use.
	LightClient bool `json:"light_client"`
	// HeaderHeight is the holder's verified header tip, when it runs a
	// light client; HasHeaders says whether it is set.
	HeaderHeight int32 `json:"header_height"`
	HasHeaders   bool  `json:"has_headers"`
	// TipTime is the timestamp of the header at the store's tip, RFC 3339,
	// when the holder knows it.
	TipTime string `json:"tip_time,omitempty"`
	// Warnings are the holder's current warnings (a stalled peer, say).
	Warnings []string `json:"warnings,omitempty"`
}

// Checkpointer is what a Server needs of the store it shares:
// snapshot.Store is one.
type Checkpointer interface {
	Checkpoint(dir string) error
}

// SocketPath returns where the socket of a data directory lives.
func SocketPath(datadir string) (string, error) {
	abs, err := filepath.Abs(datadir)
	if err != nil {
		return "", err
	}
	p := filepath.Join(abs, "spvcheck.sock")
	if len(p) <= maxSocketPath {
		return p, nil
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "spvcheck-"+hex.EncodeToString(sum[:8])+".sock"), nil
}

type request struct {
	Op string `json:"op"`
}

type answer struct {
	Dir   string `json:"dir,omitempty"`
	Info  *Info  `json:"info,omitempty"`
	Error string `json:"error,omitempty"`
}

// Server hands checkpoints of one store to readers. Create it with Listen
// and run it with Serve.
type Server struct {
	store   Checkpointer
	info    func() Info
	datadir string
	socket  string
	ln      net.Listener

	mu     sync.Mutex
	leases int
	seq    int
	conns  map[net.Conn]struct{}
}

// Listen creates the socket of datadir for store. info, when not nil, is
// called for every request (from several goroutines at once). It fails when
// another live process already serves the data directory.
func Listen(datadir string, store Checkpointer, info func() Info) (*Server, error) {
	sock, err := SocketPath(datadir)
	if err != nil {
		return nil, err
	}
	if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("share: another process already serves %s (socket %s)", datadir, sock)
	}
	// Nothing answers: whatever is there is left from a holder that died.
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("share: removing the stale socket %s: %w", sock, err)
	}
	if err := os.RemoveAll(filepath.Join(datadir, readersDir)); err != nil {
		return nil, fmt.Errorf("share: removing stale checkpoints: %w", err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("share: listening on %s: %w", sock, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("share: %w", err)
	}
	if info == nil {
		info = func() Info { return Info{} }
	}
	return &Server{store: store, info: info, datadir: datadir, socket: sock, ln: ln, conns: map[net.Conn]struct{}{}}, nil
}

// Socket returns the socket's path.
func (s *Server) Socket() string { return s.socket }

// Serve answers readers until ctx ends, then closes the socket and every
// connection and returns nil. Checkpoints still in use are left to their
// readers, who remove them when done.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer func() {
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
		os.Remove(s.socket)
	}()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("share: accepting: %w", err)
		}
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(requestTimeout))
	r := bufio.NewReader(io.LimitReader(c, maxLine))
	line, err := r.ReadBytes('\n')
	if err != nil {
		return
	}
	var req request
	reply := func(a answer) bool {
		b, _ := json.Marshal(a)
		c.SetWriteDeadline(time.Now().Add(requestTimeout))
		_, err := c.Write(append(b, '\n'))
		return err == nil
	}
	if err := json.Unmarshal(line, &req); err != nil {
		reply(answer{Error: "malformed request"})
		return
	}
	info := s.info()
	switch req.Op {
	case "info":
		reply(answer{Info: &info})
		return
	case "checkpoint":
	default:
		reply(answer{Error: fmt.Sprintf("unknown op %q", req.Op)})
		return
	}
	dir, release, err := s.checkpoint()
	if err != nil {
		reply(answer{Error: err.Error()})
		return
	}
	defer release()
	if !reply(answer{Dir: dir, Info: &info}) {
		return
	}
	// The lease lasts as long as the connection: wait for the reader to
	// close it (or die).
	c.SetReadDeadline(time.Time{})
	io.Copy(io.Discard, io.LimitReader(c, maxLine))
}

func (s *Server) checkpoint() (string, func(), error) {
	s.mu.Lock()
	if s.leases >= MaxLeases {
		s.mu.Unlock()
		return "", nil, fmt.Errorf("%d readers already hold checkpoints; try again", MaxLeases)
	}
	s.leases++
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	done := func() {
		s.mu.Lock()
		s.leases--
		s.mu.Unlock()
	}
	parent := filepath.Join(s.datadir, readersDir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		done()
		return "", nil, err
	}
	dir := filepath.Join(parent, strconv.Itoa(os.Getpid())+"-"+strconv.Itoa(seq))
	if err := s.store.Checkpoint(dir); err != nil {
		os.RemoveAll(dir)
		done()
		return "", nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return abs, func() { os.RemoveAll(dir); done() }, nil
}

// ErrNoHolder is returned by Acquire and Ask when no process serves the data
// directory.
var ErrNoHolder = errors.New("share: no running spvcheck holds this data directory")

// Lease is a checkpoint handed to a reader.
type Lease struct {
	// Dir is the checkpoint: a store directory to open read-only.
	Dir string
	// Info is what the holder said about itself.
	Info Info
	conn net.Conn
}

// Close ends the lease and removes the checkpoint.
func (l *Lease) Close() error {
	err := l.conn.Close()
	os.RemoveAll(l.Dir)
	return err
}

func dial(ctx context.Context, datadir string) (net.Conn, error) {
	sock, err := SocketPath(datadir)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoHolder, err)
	}
	return c, nil
}

func exchange(ctx context.Context, c net.Conn, op string) (answer, error) {
	deadline := time.Now().Add(30 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	b, _ := json.Marshal(request{Op: op})
	if _, err := c.Write(append(b, '\n')); err != nil {
		return answer{}, fmt.Errorf("share: asking the holder: %w", err)
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxLine)).ReadBytes('\n')
	if err != nil {
		if ctx.Err() != nil {
			return answer{}, ctx.Err()
		}
		return answer{}, fmt.Errorf("share: reading the holder's answer: %w", err)
	}
	var a answer
	if err := json.Unmarshal(line, &a); err != nil {
		return answer{}, fmt.Errorf("share: malformed answer from the holder: %w", err)
	}
	if a.Error != "" {
		return answer{}, fmt.Errorf("share: the holder refused: %s", a.Error)
	}
	c.SetDeadline(time.Time{})
	return a, nil
}

// Acquire asks the process holding datadir's store for a checkpoint.
func Acquire(ctx context.Context, datadir string) (*Lease, error) {
	c, err := dial(ctx, datadir)
	if err != nil {
		return nil, err
	}
	a, err := exchange(ctx, c, "checkpoint")
	if err != nil {
		c.Close()
		return nil, err
	}
	if a.Dir == "" {
		c.Close()
		return nil, errors.New("share: the holder sent no checkpoint")
	}
	l := &Lease{Dir: a.Dir, conn: c}
	if a.Info != nil {
		l.Info = *a.Info
	}
	return l, nil
}

// Ask returns what the process holding datadir's store says about itself.
func Ask(ctx context.Context, datadir string) (Info, error) {
	c, err := dial(ctx, datadir)
	if err != nil {
		return Info{}, err
	}
	defer c.Close()
	a, err := exchange(ctx, c, "info")
	if err != nil {
		return Info{}, err
	}
	if a.Info == nil {
		return Info{}, errors.New("share: the holder sent no info")
	}
	return *a.Info, nil
}
