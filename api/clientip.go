package api

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP finds the effective client IP (PROTOCOL 3.6): the TCP peer, or,
// when the peer is a trusted proxy, the first untrusted address of
// X-Forwarded-For read from the right (the left-most when all are trusted).
// With no trusted proxies, X-Forwarded-For is ignored.
func clientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := parseAddr(hostOnly(r.RemoteAddr))
	if !peer.IsValid() {
		return hostOnly(r.RemoteAddr)
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseAddr(strings.TrimSpace(hops[i]))
		if !a.IsValid() {
			// Garbage in the header: the nearest trusted hop is the best
			// address we know.
			break
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

// forwardedHTTPS reports whether r came through a trusted proxy that says
// the browser used HTTPS: the TCP peer is trusted and the nearest proxy's
// X-Forwarded-Proto (the last value) is https. Without trusted proxies the
// header is ignored, since anyone could send it.
func forwardedHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if !fromTrustedProxy(r, trusted) {
		return false
	}
	var protos []string
	for _, h := range r.Header.Values("X-Forwarded-Proto") {
		protos = append(protos, strings.Split(h, ",")...)
	}
	return len(protos) > 0 && strings.EqualFold(strings.TrimSpace(protos[len(protos)-1]), "https")
}

// fromTrustedProxy reports whether r's TCP peer is a trusted proxy, whose
// X-Forwarded-* and X-Request-ID headers may be believed.
func fromTrustedProxy(r *http.Request, trusted []netip.Prefix) bool {
	peer := parseAddr(hostOnly(r.RemoteAddr))
	return peer.IsValid() && isTrusted(peer, trusted)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// parseAddr parses an address as sent by proxies, with an optional port or
// brackets, and unmaps IPv4-in-IPv6 so one client has one identity.
func parseAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies parses a comma-separated list of CIDRs (a bare
// address counts as a single-host prefix). An empty string gives none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
