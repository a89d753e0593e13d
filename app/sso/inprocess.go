package sso

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// InProcessClient returns an HTTP client that serves requests under issuer
// with h, in this process, without a network connection. The development
// identity provider is served by the app itself, which is not listening yet
// when Start runs discovery; with this client discovery, JWKS, token and
// userinfo calls reach it anyway, through exactly the same goth and
// verification code as a real provider's. Requests elsewhere fail.
func InProcessClient(issuer string, h http.Handler) *http.Client {
	return &http.Client{
		Transport: handlerTransport{prefix: strings.TrimSuffix(issuer, "/") + "/", h: h},
		Timeout:   DefaultDiscoveryTimeout,
	}
}

type handlerTransport struct {
	prefix string
	h      http.Handler
}

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasPrefix(u.String(), t.prefix) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("sso: the in-process client only serves %s, not %s", t.prefix, req.URL)
	}
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:0"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	w := &recorder{header: http.Header{}, status: http.StatusOK}
	t.h.ServeHTTP(w, r)
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header,
		Body:          io.NopCloser(bytes.NewReader(w.body.Bytes())),
		ContentLength: int64(w.body.Len()),
		Request:       req,
	}, nil
}

// recorder is a minimal http.ResponseWriter that keeps the response.
type recorder struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = status, true
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
