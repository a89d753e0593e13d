// Package sso adds single sign-on to the app. It is the Go counterpart of the
// seed's AppCloudServices module.
//
// The package is self-contained on purpose. It knows accounts and their
// identities (models.User, models.Identity) and nothing of the expenses
// domain, so an app customises it only through Config and the hooks in it,
// as apps customise the seed's module only through its API microflows. A team
// that forks the template can upgrade or replace this folder without
// touching the rest.
//
// How the seed maps onto this package:
//
//   - Start is StartAppCloudServices, the "after startup" microflow (seed
//     steps 10–11). app/app.go calls it once. Without that call
//     GET /auth/{provider} and GET /auth/{provider}/callback answer 404 Not
//     Found, which is what the seed warns about.
//   - Config.OnFirstLogin is the action in InvokeOnFirstLoginAppCloudUser (seed
//     step 6). The app's hook lives on the app side, in app/provisioning.
//   - ExampleOnFirstLogin is the excluded Example_OnFirstLoginAppCloudUser
//     (seed step 5). It documents the hook's shape and is not wired in.
//
// # Built on goth, hardened where goth is not
//
// The providers are goth's: openidConnect for any standard issuer (Okta, Entra
// ID, Keycloak, Auth0, Dex, Google Workspace, the development identity
// provider), plus github, google and azureadv2 (Microsoft). Around them this
// package adds what goth v1.82 lacks:
//
//   - Discovery runs with a timeout per attempt. goth's openidConnect.New
//     fetches discovery inside the constructor with no timeout. We discover
//     with go-oidc and build the goth provider with
//     openidConnect.NewCustomisedURL. An issuer that does not answer does not
//     stop start-up (a restart during an outage would take everyone out,
//     password sign-in included): its button says it is unreachable, and
//     discovery is tried again, with backoff, until it answers. An issuer
//     that answers under another name is a configuration error and does
//     stop start-up.
//   - The code exchange of OpenID Connect sign-ins is ours, not goth's: it
//     honours the request's context under one deadline for the callback, and
//     uses the client authentication the discovery document lists, so that
//     golang.org/x/oauth2 never retries with a second method. A code the
//     provider refuses (invalid_grant) is "start again"; a client it refuses
//     (invalid_client) is "misconfigured, tell your administrator".
//   - Every OpenID Connect login uses PKCE (S256) and a nonce.
//   - The ID token's signature is checked against the issuer's JWKS by
//     go-oidc's IDTokenVerifier, together with issuer, audience, expiry and
//     (by us) the nonce and at_hash. goth only decodes the token.
//   - state is random, kept in an encrypted cookie, compared in constant time,
//     and single-use: the cookie is deleted at the callback, and a state seen
//     once is refused again even if the old cookie is replayed.
//   - Every HTTP call to a provider has a timeout; goth falls back to
//     http.DefaultClient, which has none.
//
// goth's own GitHub, Google and Microsoft providers get state, timeouts and
// the account rules, but no PKCE: their sessions do not send a code_verifier
// when they exchange the code. They are confidential clients with a secret.
//
// # Why we drive goth.Provider and goth.Session ourselves (no gothic)
//
// gothic, goth's helper package, would need three workarounds here:
//
//  1. It cannot see echo's route parameters, so the provider name would have
//     to be copied into the request context (gothic.GetContextWithProvider).
//     If that is ever forgotten, its fallback guesses the provider from
//     whatever session cookie the browser sends.
//  2. gothic.CompleteUserAuth passes the callback's raw query to
//     Session.Authorize, and goth's OpenID Connect session takes redirect_uri
//     and code_verifier from those parameters. Those values would come from
//     whoever wrote the callback URL. Our PKCE verifier must come from our
//     own cookie.
//  3. Its state check is skipped when the stored state is empty, and a state
//     can be used more than once.
//
// So the handlers here take the provider from the route only, look it up in
// the Service's own table, and call BeginAuth, UnmarshalSession, Authorize and
// FetchUser themselves.
//
// # goth's package globals: deliberately left unset
//
// goth keeps providers in a process-wide map (goth.UseProviders) and gothic
// keeps its cookie store in a package variable (gothic.Store). Two
// applications in one process would overwrite each other's "openid-connect"
// provider and cookie keys. That happens in every parallel test, and for any
// team that mounts two apps in one binary. STYLE.md asks for no mutable
// package state. So we set neither global. Each Service holds its provider
// table, and its flow store is the gorilla/sessions CookieStore that
// gothic.Store would otherwise hold: keyed from SESSION_SECRET, SameSite=Lax
// (Strict would drop the cookie on the identity provider's redirect back),
// HttpOnly, Secure in production, Path=/auth, ten minutes. It is separate from
// the app's session. gothic is not imported at all, so its init-time default
// store (keyed from the raw SESSION_SECRET variable) never exists in this
// binary.
//
// # Account rules
//
// A returning sign-in is matched on (provider, subject), never on e-mail.
// A subject is unique only per issuer (OpenID Connect Core §2), and the
// provider's route name stays "openid-connect" when SSO_OIDC_ISSUER changes,
// so every identity also records the issuer that vouched for it (the verified
// ID token's "iss"; empty for goth's non-OpenID Connect providers, whose route
// name already fixes the issuer). A sign-in whose issuer differs from the
// stored one is refused with an explanation and logged with both issuers,
// never matched; identities stored before issuers were recorded take the
// issuer of their next sign-in. When a company's identity provider merely
// moved to a new issuer URL, an administrator moves its identities along:
// UPDATE identities SET issuer = '<new>' WHERE issuer = '<old>'.
// A first sign-in whose e-mail belongs to an existing account is refused with
// an explanation, never linked silently (that would be account takeover).
// People connect a provider to their existing account from their profile,
// after confirming their password (Service.BeginLink). New accounts may be
// limited to some e-mail domains. A deactivated person is refused. A
// provider that releases no e-mail address, or one it does not assert as
// verified, creates nothing: only email_verified: true counts (a missing
// claim is not a yes), GitHub's verified primary address, Microsoft's with
// one configured tenant, or any address of a provider configured as
// releasing verified ones only (OIDC.TrustEmail). Profile.EmailVerified
// carries that verdict to the app's hooks and, through SignInProfile, to its
// session. Avatars are kept only from the provider's own hosts. A browser
// keeps at most three sign-ins in progress; older ones are dropped. The
// hook that creates the account runs in the same transaction as the
// identity row, so nothing is ever half-created. Two first sign-ins of
// the same person at once (a double click, two tabs) create one account: the
// database's unique indexes let one commit, and the other starts again as a
// returning sign-in of the account just created.
package sso
