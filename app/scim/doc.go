// Package scim is the app's SCIM 2.0 service provider (RFC 7643, RFC 7644):
// identity providers such as Microsoft Entra ID and Okta create, update,
// deactivate and group the company's people at /scim/v2, with a bearer
// token an administrator made on the settings page (or SCIM_TOKEN).
//
// What is mapped:
//
//   - A SCIM User is a person (app/people): userName and the primary (or
//     work) e-mail give the login e-mail, displayName (else name.formatted,
//     else given and family name) the full name; active is the account's
//     active flag; the enterprise extension's department and manager.value
//     (the manager's SCIM id) set department and manager. People made here
//     are SSO accounts (IsLocalUser false, no password).
//   - externalId is the provider's immutable id (Entra: objectId, Okta: the
//     user id). The first SSO sign-in whose subject, or Entra's "oid" claim,
//     equals it is linked to the provisioned account (SignInHook): never by
//     e-mail.
//   - A SCIM Group grants a role to its members when SSO_ROLE_MAP names its
//     displayName (or its externalId, since Entra's groups claim carries
//     object ids): the same map that SSO sign-ins apply (app/rolemap).
//   - active false (PATCH or PUT) and DELETE deactivate the person and end
//     every session of theirs in the same request. DELETE removes the SCIM
//     resource and keeps the deactivated person, unless SCIM_HARD_DELETE=on.
//
// Why a protocol layer of our own rather than github.com/elimity-com/scim
// (the best-kept Go library; it is in the module proxy only as pseudo-
// versions, no tagged release): the part of SCIM this app needs is small
// (two resource types, "eq" filters, PATCH on a handful of paths), while
// the part that decides whether provisioning works is tolerance of what
// Entra ID and Okta really send: "op": "Replace", "value": "False",
// paths with URN prefixes and value filters, PATCH without a path whose
// keys are paths themselves, manager as a bare string. A library's strict
// schema validation has to be worked around for each of these (in the
// version of elimity-com/scim we read, schema/core.go's validateSingular
// refuses any boolean that is not a JSON boolean, so Entra's "False" fails
// before a handler sees it; its PATCH op names are case-insensitive), and its
// own handler and storage interfaces sit badly next to echo and gorm
// transactions (one transaction per request, with the people service's
// rules). Here PATCH is applied to the resource's own JSON document, then
// stored exactly as a PUT would be, so the two cannot disagree.
//
// Attribute names compare case-insensitively (RFC 7643 §2.1): documents
// are read into maps with lower-cased keys. Attributes the app does not
// store (phone numbers, addresses, title, …) are accepted and dropped, so
// that a provider's default attribute mapping does not fail.
package scim
