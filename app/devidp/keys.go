package devidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// signingAlg is the ID-token signature algorithm. RS256 is the one algorithm
// every OpenID Connect relying party must accept, and go-oidc's default.
const signingAlg = jose.RS256

// signingKey signs ID tokens. It is generated at start and never stored, so
// a restart invalidates every token issued before it; relying parties fetch
// the new key from the JWKS endpoint when they meet its new key id.
type signingKey struct {
	signer jose.Signer
	// logoutSigner signs logout tokens with the same key, typed
	// "logout+jwt" as Back-Channel Logout 1.0 recommends, so that no
	// relying party can take one for an ID token.
	logoutSigner jose.Signer
	public       jose.JSONWebKey
}

// newSigningKey generates an RSA-2048 key whose key id is its RFC 7638
// thumbprint, so the id changes exactly when the key does.
func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devidp: generate RSA signing key: %w", err)
	}
	public := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(signingAlg), Use: "sig"}
	thumb, err := public.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("devidp: key thumbprint: %w", err)
	}
	public.KeyID = base64.RawURLEncoding.EncodeToString(thumb)

	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: signingAlg, Key: jose.JSONWebKey{Key: priv, KeyID: public.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, fmt.Errorf("devidp: create signer: %w", err)
	}
	logoutSigner, err := jose.NewSigner(
		jose.SigningKey{Algorithm: signingAlg, Key: jose.JSONWebKey{Key: priv, KeyID: public.KeyID}},
		(&jose.SignerOptions{}).WithType("logout+jwt"),
	)
	if err != nil {
		return nil, fmt.Errorf("devidp: create logout signer: %w", err)
	}
	return &signingKey{signer: signer, logoutSigner: logoutSigner, public: public}, nil
}

// sign returns claims as a compact JWS (a signed JWT).
func (k *signingKey) sign(claims any) (string, error) { return signWith(k.signer, claims) }

func signWith(signer jose.Signer, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devidp: encode claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devidp: sign token: %w", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("devidp: serialize token: %w", err)
	}
	return token, nil
}

// keySet is the public JWKS document.
func (k *signingKey) keySet() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public}}
}
