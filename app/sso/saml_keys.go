package sso

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// NewSAMLKeyPair makes an RSA key and a self-signed certificate for it, valid
// for ten years, as SAML expects of a service provider: the certificate only
// carries the public key (identity providers pin it from the metadata, they
// do not check a chain), so self-signed is the norm, and its expiry is no
// security boundary.
func NewSAMLKeyPair(commonName string) (tls.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// LoadSAMLKeyPair reads the service provider's certificate and key, PEM
// files (SSO_SAML_CERT_FILE, SSO_SAML_KEY_FILE). With create set
// (development) a pair that does not exist yet is made and written there, so
// that the metadata registered at an identity provider stays valid across
// restarts; production passes create false and needs both files.
func LoadSAMLKeyPair(certFile, keyFile string, create bool) (tls.Certificate, error) {
	kp, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err == nil {
		return kp, nil
	}
	_, certErr := os.Stat(certFile)
	_, keyErr := os.Stat(keyFile)
	if !create || !errors.Is(certErr, fs.ErrNotExist) || !errors.Is(keyErr, fs.ErrNotExist) {
		return tls.Certificate{}, fmt.Errorf("SAML certificate %s and key %s: %w", certFile, keyFile, err)
	}
	kp, err = NewSAMLKeyPair("company-expenses SAML service provider (development)")
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(kp.PrivateKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	for _, f := range []struct {
		path, kind string
		der        []byte
		mode       os.FileMode
	}{{keyFile, "PRIVATE KEY", keyDER, 0o600}, {certFile, "CERTIFICATE", kp.Certificate[0], 0o644}} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return tls.Certificate{}, err
		}
		if err := os.WriteFile(f.path, pem.EncodeToMemory(&pem.Block{Type: f.kind, Bytes: f.der}), f.mode); err != nil {
			return tls.Certificate{}, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return kp, nil
}
