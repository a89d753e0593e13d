// Package sso adds single sign-on to the app. It is the Go counterpart of the
// Mendix tutorial's AppCloudServices module: imported whole and upgraded whole.
//
// # The module and its contract
//
// The folder app/sso (with its sub-package app/sso/ssopages) is
// self-contained on purpose: it imports no other package of this
// repository, not the app's models, layouts, paths or views, and nothing of
// the expenses domain (TestSSOPackageImportsNothingElseOfThisRepository
// holds it to that). Its tests run against a small fake app of their own
// (fakeapp_test.go), with the development identity provider (app/devidp)
// as the identity provider. An app customises the module only through
// Config and the hooks in it, as apps customise the Mendix tutorial's module only
// through its API microflows. "Upgrade whole" means: replace this folder
// with a newer copy, run go build, and only the places where the contract
// below changed (a new hook method, a new Config field) need the app's
// attention; nothing inside the folder is yours to edit.
//
// The contract, from the app's side (app/app.go and app/web/sso.go show a
// complete one):
//
//   - Config: BaseURL and Secret (the flow cookie's key), the Providers,
//     AllowedDomains, and the database handle. URLs names the app's sign-in,
//     profile and home pages, which the module links and redirects to; it
//     knows no paths of the app otherwise. With a SAML provider,
//     CrossSitePosts is where its assertion consumer service goes: a POST
//     route outside the app's CSRF check (the module binds it to the browser
//     itself, see saml_handlers.go).
//   - App, the hook interface: SignIn starts the app's session for an
//     account, CurrentUserID tells who is signed in, Notify shows a message
//     on the next page. AccountByEmail and Account answer what the account
//     rules need to know of the app's accounts (Account: active? has a
//     password?), inside the sign-in's transaction. The module never reads
//     or writes the app's users itself: an app with another user model
//     answers these four questions from it. (Passwords stay the app's
//     business: the profile page confirms the password before it calls
//     BeginLink, so the module needs no CheckPassword.)
//   - OnFirstLogin (required) creates the account of someone new and returns
//     its id; OnReturningLogin (optional) refreshes it at each later
//     sign-in. Both run in the transaction that stores the identity. The
//     Profile they get carries the provider's groups (or GroupsOverage) and
//     directory attributes, read from the claims Config.Claims names; what
//     they mean for the app's roles is the app's business (app/provisioning
//     applies SSO_ROLE_MAP).
//   - Pages renders the module's pages. Without it they are plain standalone
//     pages (ssopages.ProblemPage); an app renders ssopages.ProblemSection
//     inside its own layout to make them look like the rest of it.
//   - Tables: the module owns the identities table (Identity; the same name
//     and columns models.Identity had, so existing databases carry on). The
//     app's schema migration runs the module's SQL migrations
//     (Migrations: goose files per dialect, recorded in schema_versions_sso)
//     after its own, under its own migration lock, rather than the module
//     migrating by itself: one migration, serialised once, when several
//     instances start together. Models() describes the same tables, for
//     the app's test that compares the two. identities.user_id references the app's
//     users(id) ON DELETE CASCADE (AccountRef): the one assumption the module
//     makes about the app's schema. The app may read identities (its admin
//     list shows local/SSO), but changes them only through the Service
//     (BeginLink, Disconnect).
//
// How the Mendix tutorial maps onto this package:
//
//   - Start is StartAppCloudServices, the "after startup" microflow (the
//     Mendix tutorial, steps 10–11). app/app.go calls it once. Without that call
//     GET /auth/{provider} and GET /auth/{provider}/callback answer 404 Not
//     Found, which is what the Mendix tutorial warns about.
//   - Config.OnFirstLogin is the action in InvokeOnFirstLoginAppCloudUser (the
//     Mendix tutorial, step 6). The app's hook lives on the app side, in app/provisioning.
//   - ExampleOnFirstLogin is the excluded Example_OnFirstLoginAppCloudUser
//     (the Mendix tutorial, step 5). It documents the hook's shape and is not wired in.
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
// SAML 2.0 (the SAML spec, saml.go) is not goth's: it is crewjam/saml's
// service provider, with the same account rules and hooks. Its sign-ins in
// progress are rows of sso_saml_requests (saml_requests.go), named by an
// opaque RelayState and bound to the browser by a cookie's hash, instead of
// flow cookies. Its identities are (provider, the IdP's entity id as issuer,
// persistent NameID), and the assertions it accepted are kept in the table
// saml_assertion_uses (in Models) until they expire, so that none is
// accepted twice on any instance.
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
// team that mounts two apps in one binary, and mutable package state is what
// this codebase avoids everywhere. So we set neither global. Each Service holds its provider
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
