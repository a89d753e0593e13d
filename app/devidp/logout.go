package devidp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	views "github.com/company-expenses/company-expenses/views/devidp"
)

// Single sign-out at the development provider: its end_session_endpoint
// (OpenID Connect RP-Initiated Logout 1.0) ends the session and tells the
// application through back-channel logout (OpenID Connect Back-Channel
// Logout 1.0), server to server, before the browser goes back.

// backChannelLogoutEvent is the events member of a logout token.
const backChannelLogoutEvent = "http://schemas.openid.net/event/backchannel-logout"

// logoutTokenTTL is the logout token's exp: it is posted at once.
const logoutTokenTTL = 2 * time.Minute

// logoutTokenClaims are the claims of a logout token (Back-Channel Logout
// 1.0 section 2.4). It never carries a nonce.
type logoutTokenClaims struct {
	Issuer    string                    `json:"iss"`
	Subject   string                    `json:"sub,omitempty"`
	Audience  string                    `json:"aud"`
	IssuedAt  int64                     `json:"iat"`
	Expiry    int64                     `json:"exp"`
	JTI       string                    `json:"jti"`
	Events    map[string]map[string]any `json:"events"`
	SessionID string                    `json:"sid,omitempty"`
}

// serveEndSession is GET /end-session. It needs an id_token_hint this
// provider signed (expired is fine: the person may have been signed in for
// longer than the token lives); a post_logout_redirect_uri must be one the
// client registered. A hint signed before a restart (the key is made at
// start) still signs out when client_id names the client, only without a
// back-channel token, because the provider cannot tell whose session it
// was.
func (p *Provider) serveEndSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	claims, hintErr := p.readHint(q.Get("id_token_hint"))
	clientID := q.Get("client_id")
	switch {
	case hintErr == nil && clientID != "" && clientID != claims.Audience:
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Wrong application",
			fmt.Sprintf("The ID token was issued to %q, but %q asks to sign out with it.", claims.Audience, clientID)})
		return
	case hintErr == nil:
		clientID = claims.Audience
	case clientID == "":
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Cannot sign out", hintErr.Error()})
		return
	}
	client, ok := p.clients[clientID]
	if !ok {
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Unknown application",
			fmt.Sprintf("No application with client_id %q is registered with this identity provider.", clientID)})
		return
	}
	returnTo := q.Get("post_logout_redirect_uri")
	if returnTo != "" && !slices.Contains(client.PostLogoutRedirectURIs, returnTo) {
		p.renderError(w, r, http.StatusBadRequest, &pageError{"Unregistered sign-out redirect",
			fmt.Sprintf("%q is not a post-logout redirect URI registered for %q, so the browser will not be sent there.", returnTo, clientID)})
		return
	}
	if returnTo != "" && q.Get("state") != "" {
		u, _ := url.Parse(returnTo) // checked when the client was registered
		v := u.Query()
		v.Set("state", q.Get("state"))
		u.RawQuery = v.Encode()
		returnTo = u.String()
	}

	var told string
	switch {
	case hintErr != nil:
		told = "No back-channel logout was sent: " + hintErr.Error()
	case client.BackChannelLogoutURI == "":
		told = "The application registered no back-channel logout URI, so it was not told."
	default:
		told = p.sendLogoutToken(r.Context(), client, claims.Subject, claims.SessionID)
	}
	p.log.Info("signed out", "client_id", clientID, "sub", claims.Subject, "sid", claims.SessionID, "back_channel", told)
	p.render(w, r, http.StatusOK, views.SignedOutPage(views.SignedOut{
		Stylesheet: p.stylesheet, ClientID: clientID, BackChannel: told, ReturnURL: returnTo,
	}))
}

// readHint checks that hint is an ID token this provider signed, and
// returns its claims. The expiry is not checked (see serveEndSession).
func (p *Provider) readHint(hint string) (idTokenClaims, error) {
	var c idTokenClaims
	if hint == "" {
		return c, fmt.Errorf("the request carries no id_token_hint, so the provider cannot tell whose session to end")
	}
	jws, err := jose.ParseSignedCompact(hint, []jose.SignatureAlgorithm{signingAlg})
	if err != nil {
		return c, fmt.Errorf("the id_token_hint is not a signed token")
	}
	payload, err := jws.Verify(p.key.public.Key)
	if err != nil {
		return c, fmt.Errorf("the id_token_hint was not signed by this provider (it makes a new key at every start, so a token from before a restart no longer verifies)")
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Issuer != p.issuer || c.Audience == "" {
		return idTokenClaims{}, fmt.Errorf("the id_token_hint is not an ID token of this provider")
	}
	return c, nil
}

// sendLogoutToken posts a signed logout token to the client's back-channel
// logout URI and says, for the page, how the client answered.
func (p *Provider) sendLogoutToken(ctx context.Context, client Client, subject, sid string) string {
	now := p.now()
	token, err := signWith(p.key.logoutSigner, logoutTokenClaims{
		Issuer: p.issuer, Subject: subject, Audience: client.ID,
		IssuedAt: now.Unix(), Expiry: now.Add(logoutTokenTTL).Unix(), JTI: rand.Text(),
		Events:    map[string]map[string]any{backChannelLogoutEvent: {}},
		SessionID: sid,
	})
	if err != nil {
		p.log.Error("cannot sign logout token", "error", err)
		return "The logout token could not be signed, so the application was not told."
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body := url.Values{"logout_token": {token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.BackChannelLogoutURI, strings.NewReader(body))
	if err != nil {
		return "The back-channel logout URI is unusable: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := p.backChannel.Do(req)
	if err != nil {
		p.log.Warn("back-channel logout failed", "client_id", client.ID, "uri", client.BackChannelLogoutURI, "error", err)
		return "The application could not be reached for back-channel logout: " + err.Error()
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 2<<10))
	if res.StatusCode != http.StatusOK {
		p.log.Warn("back-channel logout refused", "client_id", client.ID, "status", res.StatusCode, "body", string(answer))
		return fmt.Sprintf("The application refused the back-channel logout token (%s): %s", res.Status, strings.TrimSpace(string(answer)))
	}
	return "The application was told through back-channel logout, and ended its sessions of this sign-in."
}
