// Package simtest provides a fake tablet API server that records what it
// receives, for testing sim and tabletsim without the real server. It
// answers every operation of a registration or upload with the success
// reply of PROTOCOL 6, and can be told to fail.
package simtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tabletapi/tabletapi/internal/registry"
)

// Request is one request the fake received.
type Request struct {
	Op     string
	Params map[string]string // the decoded form, every key
	Body   string            // as received

	// Session is the session_id the fake sent in its reply (with
	// session_token "token<Session>"), unless it dropped the connection.
	Session int
}

// Fault is how the fake answers a request instead of succeeding.
type Fault struct {
	Status int    // HTTP status of a key:value failure; 0 means 200
	Error  string // the error of a success:0 reply
	Drop   bool   // close the connection without a reply
}

// Server is a recording fake of the tablet API. Its Set methods may be
// called at any time.
type Server struct {
	URL string // the endpoint, …/api

	// CertPEM is, for a server of NewTLS, its self-signed certificate in
	// PEM: the CA bundle a client must trust.
	CertPEM []byte

	mu           sync.Mutex
	requests     []Request
	sessions     int
	fault        func(Request) *Fault
	whichKeys    func(Request) string
	uploadRecord func(Request) string
	uploadPolicy string
	tables       []string
	versions     map[string]string // table → minimum client version; absent: 2.0.0
}

// SetFault makes the fake ask f about each request (nil: none); a non-nil
// Fault is answered instead of the success reply.
func (s *Server) SetFault(f func(Request) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetWhichKeys makes f give which_keys_to_send's result; by default (nil)
// the fake asks for every PK offered.
func (s *Server) SetWhichKeys(f func(Request) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.whichKeys = f
}

// SetUploadRecord makes f give upload_record's result; by default (nil)
// UPLOAD-INSERT.
func (s *Server) SetUploadRecord(f func(Request) string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploadRecord = f
}

// SetUploadPolicy replaces the upload policy of the ID info block
// ("": the default, sex AND anyidnum).
func (s *Server) SetUploadPolicy(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.uploadPolicy = p
}

// SetTables replaces the tables of get_allowed_tables, each with minimum
// client version 2.0.0.
func (s *Server) SetTables(tables []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables, s.versions = tables, nil
}

// SetRegistry makes get_allowed_tables publish the tables of reg with
// their minimum client versions, as a server started with reg does.
func (s *Server) SetRegistry(reg *registry.Registry) {
	versions := map[string]string{}
	for _, t := range reg.Tables() {
		versions[t.Name] = t.MinVersion
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables, s.versions = reg.Names(), versions
}

// New starts a fake server that the test closes at cleanup. Its
// get_allowed_tables publishes the server's compiled-in registry.
func New(tb testing.TB) *Server {
	s, _ := start(tb, httptest.NewServer)
	return s
}

// NewTLS is New serving https:// with a self-signed certificate for
// 127.0.0.1, which no system trusts; CertPEM holds it.
func NewTLS(tb testing.TB) *Server {
	s, srv := start(tb, httptest.NewTLSServer)
	s.CertPEM = pemCert(srv.Certificate())
	return s
}

// start starts a fake with newServer, closed at the test's cleanup.
func start(tb testing.TB, newServer func(http.Handler) *httptest.Server) (*Server, *httptest.Server) {
	s := &Server{}
	s.SetRegistry(registry.Default())
	srv := newServer(http.HandlerFunc(s.serve))
	tb.Cleanup(srv.Close)
	s.URL = srv.URL + "/api"
	return s, srv
}

// pemCert encodes c as a PEM CERTIFICATE block.
func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Ops returns the operations received so far, in order.
func (s *Server) Ops() []string {
	var ops []string
	for _, r := range s.Requests() {
		ops = append(ops, r.Op)
	}
	return ops
}

// Reset forgets the requests received.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api" {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "Not a valid CamCOPS API request", http.StatusBadRequest)
		return
	}
	req := Request{Op: form.Get("operation"), Params: map[string]string{}, Body: string(body)}
	for k := range form {
		req.Params[k] = form.Get(k)
	}
	s.mu.Lock()
	s.sessions++
	session := s.sessions
	req.Session = session
	s.requests = append(s.requests, req)
	fault := s.fault
	s.mu.Unlock()

	var lines []string
	status := http.StatusOK
	var f *Fault
	if fault != nil {
		f = fault(req)
	}
	if f != nil {
		if f.Drop {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		if f.Status != 0 {
			status = f.Status
		}
		lines = []string{"success:0", "error:" + f.Error}
	} else {
		lines = append(s.reply(req), "success:1")
	}
	lines = append(lines, fmt.Sprintf("session_id:%d", session), fmt.Sprintf("session_token:token%d", session))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, strings.Join(lines, "\n")+"\n")
}

// reply is the success reply of an operation, without the success and
// session keys.
func (s *Server) reply(req Request) []string {
	s.mu.Lock()
	whichKeys, uploadRecord, policy, tables, versions := s.whichKeys, s.uploadRecord, s.uploadPolicy, s.tables, s.versions
	s.mu.Unlock()
	switch req.Op {
	case "register", "get_id_info":
		if policy == "" {
			policy = "sex AND anyidnum"
		}
		return []string{
			"databaseTitle:Fake", "idPolicyUpload:" + policy, "idPolicyFinalize:sex AND anyidnum",
			"serverCamcopsVersion:2.4.24", "idDescription1:NHS number", "idShortDescription1:NHS",
			"idValidationMethod1:uk_nhs_number",
		}
	case "get_allowed_tables":
		out := []string{"nfields:2", "fields:tablename,min_client_version", fmt.Sprintf("nrecords:%d", len(tables))}
		for i, t := range tables {
			v := versions[t]
			if v == "" {
				v = "2.0.0"
			}
			out = append(out, fmt.Sprintf("record%d:'%s','%s'", i, t, v))
		}
		return out
	case "get_extra_strings":
		return []string{"nfields:4", "fields:task,name,language,value", "nrecords:0"}
	case "validate_patients", "upload_entire_database":
		return []string{"result:Success"}
	case "start_preservation":
		return []string{"result:STARTPRESERVATION"}
	case "upload_empty_tables":
		return []string{"result:UPLOAD-EMPTY-TABLES"}
	case "upload_table":
		return []string{"result:Table " + req.Params["table"] + " upload successful"}
	case "delete_where_key_not":
		return []string{"result:Trimmed"}
	case "which_keys_to_send":
		if whichKeys != nil {
			return []string{"result:" + whichKeys(req)}
		}
		return []string{"result:" + req.Params["pkvalues"]}
	case "upload_record":
		if uploadRecord != nil {
			return []string{"result:" + uploadRecord(req)}
		}
		return []string{"result:UPLOAD-INSERT"}
	}
	return []string{"result:" + req.Op}
}
