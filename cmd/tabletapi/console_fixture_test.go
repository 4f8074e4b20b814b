package main_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The shared harness of the console tests: a real server (startServer)
// with the console's URLs, a plain HTTP client that keeps cookies and does
// not follow redirects, and a headless Chromium driven by chromedp. A page
// test of the console starts here:
//
//	cs := startConsole(t)
//	cs.addUser(t, "g", "ada", "pw", "--superuser")
//	b := newBrowser(t)
//	b.login(t, cs, "ada", "pw")
//	b.visit(t, cs.URL("/sessions"))
//	if got := b.text(t, "main"); !strings.Contains(got, "…") { … }

// chromiumPath is Debian's Chromium.
const chromiumPath = "/usr/bin/chromium"

// consoleServer is a real server with the console's URL.
type consoleServer struct {
	*testServer
	Root string // Base + prefix + "/console"
}

// startConsole starts a server (startServer with args) and returns it
// with the console's root URL.
func startConsole(tb testing.TB, args ...string) *consoleServer {
	tb.Helper()
	s := startServer(tb, args...)
	prefix := ""
	for i, a := range args {
		if a == "--path-prefix" && i+1 < len(args) {
			prefix = args[i+1]
		}
	}
	return &consoleServer{testServer: s, Root: s.Base + prefix + "/console"}
}

// URL is the console's URL of path, e.g. URL("/login").
func (cs *consoleServer) URL(path string) string { return cs.Root + path }

// httpClient returns a client with its own cookie jar that does not follow
// redirects, so tests see each 303 and its Set-Cookie.
func httpClient(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// consoleDo sends one request with hc and returns the response (body
// closed) and its body. Form posts carry Origin: the server's own, as a
// browser's would.
func consoleDo(tb testing.TB, hc *http.Client, method, u string, form url.Values, header http.Header) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p, _ := url.Parse(u)
		req.Header.Set("Origin", p.Scheme+"://"+p.Host)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, u, err)
	}
	return resp, string(b)
}

// formTokenRE finds the form token of a rendered page.
var formTokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// formToken returns the first form token of a page body, failing when
// there is none.
func formToken(tb testing.TB, body string) string {
	tb.Helper()
	m := formTokenRE.FindStringSubmatch(body)
	if m == nil {
		tb.Fatalf("no form token in page:\n%s", body)
	}
	return m[1]
}

// httpLogin logs in through the login form with hc and returns the
// response to the POST; a success is a 303 with the session cookie.
func (cs *consoleServer) httpLogin(tb testing.TB, hc *http.Client, user, pw string) *http.Response {
	tb.Helper()
	resp, _ := consoleDo(tb, hc, http.MethodPost, cs.URL("/login"), url.Values{"username": {user}, "password": {pw}}, nil)
	return resp
}

// browser is a headless Chromium of one test, with its own profile.
type browser struct {
	ctx   context.Context
	shots string // TABLETAPI_SCREENSHOTS, or "" for none
	name  string // the test's name, for screenshot files
	n     int    // screenshots taken
}

// newBrowser starts Chromium for the test and stops it when the test
// ends. Without Chromium the test fails when CI is set and is skipped
// otherwise.
func newBrowser(tb testing.TB) *browser {
	tb.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("Chromium is needed for the console's browser tests: %v", err)
		}
		tb.Skipf("Chromium not installed (%v); set CI to make this a failure", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, bound to ctx: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(tb.Name())
	return &browser{ctx: ctx, shots: os.Getenv("TABLETAPI_SCREENSHOTS"), name: name}
}

// timeout bounds one browser step, so a hung page fails the test.
const browserStepTimeout = 30 * time.Second

// do runs chromedp actions with a timeout, failing the test on an error.
func (b *browser) do(tb testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.Fatalf("browser: %s: %v", what, err)
	}
}

// get runs one chromedp action that returns a value, failing the test on
// an error.
func get[T any](tb testing.TB, b *browser, what string, a chromedp.Action[T]) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// visit loads u (following redirects) and takes a screenshot.
func (b *browser) visit(tb testing.TB, u string) {
	tb.Helper()
	b.do(tb, "visit "+u, chromedp.Navigate(u))
	b.screenshot(tb)
}

// submit clicks the button sel, waits for the page it leads to, and
// takes a screenshot.
func (b *browser) submit(tb testing.TB, sel string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserStepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.Fatalf("browser: submit %s: %v", sel, err)
	}
	b.screenshot(tb)
}

// login fills in and sends the console's login form.
func (b *browser) login(tb testing.TB, cs *consoleServer, user, pw string) {
	tb.Helper()
	b.visit(tb, cs.URL("/login"))
	b.do(tb, "fill in the login form",
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), user),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw))
	b.submit(tb, `form.login button[type="submit"]`)
}

// text returns the visible text of the first element matching the CSS
// selector sel.
func (b *browser) text(tb testing.TB, sel string) string {
	tb.Helper()
	return get(tb, b, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// location returns the page's URL.
func (b *browser) location(tb testing.TB) string {
	tb.Helper()
	return get(tb, b, "read the location", chromedp.Location())
}

// screenshot saves a PNG of the whole page as DIR/TEST-NN.png when
// TABLETAPI_SCREENSHOTS=DIR is set.
func (b *browser) screenshot(tb testing.TB) {
	tb.Helper()
	if b.shots == "" {
		return
	}
	png := get(tb, b, "screenshot", chromedp.FullScreenshot(100)) // quality 100: PNG
	b.n++
	if err := os.MkdirAll(b.shots, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(b.shots, fmt.Sprintf("%s-%02d.png", b.name, b.n))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.Fatal(err)
	}
}
