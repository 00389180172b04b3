package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// certPair is a certificate and its key.
type certPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

// newCert makes a certificate signed by parent (self-signed when nil).
func newCert(t testing.TB, tmpl *x509.Certificate, parent *certPair) certPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return certPair{cert: cert, key: key, der: der}
}

// writePair writes the PEM files of p to dir/name.pem and dir/name-key.pem.
func writePair(t testing.TB, dir, name string, p certPair) (certFile, keyFile string) {
	t.Helper()
	certFile = filepath.Join(dir, name+".pem")
	keyFile = filepath.Join(dir, name+"-key.pem")
	kb, err := x509.MarshalECPrivateKey(p.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestTLS calls a TCP daemon that requires client certificates.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	ca := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}, nil)
	server := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "daemon"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, &ca)
	clientCert := newCert(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "me"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}, &ca)
	caFile, _ := writePair(t, dir, "ca", ca)
	certFile, keyFile := writePair(t, dir, "cert", clientCert)

	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 || r.TLS.PeerCertificates[0].Subject.CommonName != "me" {
			t.Errorf("no client certificate")
		}
		io.WriteString(w, `{"version":"tls"}`)
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{server.der}, PrivateKey: server.key}},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	host := "tcp://" + strings.TrimPrefix(srv.URL, "https://")

	t.Run("with a client certificate", func(t *testing.T) {
		tc, err := TLSConfig(caFile, certFile, keyFile)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Host: host, TLS: tc})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		v, err := c.Version(t.Context())
		if err != nil || v.Version != "tls" {
			t.Errorf("Version = %+v, %v", v, err)
		}
	})
	t.Run("from the environment", func(t *testing.T) {
		certDir := t.TempDir()
		for src, dst := range map[string]string{caFile: "ca.pem", certFile: "cert.pem", keyFile: "key.pem"} {
			b, _ := os.ReadFile(src)
			os.WriteFile(filepath.Join(certDir, dst), b, 0o600)
		}
		t.Setenv(EnvHost, host)
		t.Setenv(EnvCertPath, certDir)
		c, err := FromEnv()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Version(t.Context()); err != nil {
			t.Error(err)
		}
	})
	t.Run("without a client certificate", func(t *testing.T) {
		tc, err := TLSConfig(caFile, "", "")
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(Options{Host: host, TLS: tc})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Version(t.Context()); err == nil {
			t.Error("the daemon accepted a client without a certificate")
		}
	})
	t.Run("bad files", func(t *testing.T) {
		if _, err := TLSConfig(filepath.Join(dir, "none.pem"), "", ""); err == nil {
			t.Error("missing CA accepted")
		}
		if _, err := TLSConfig(keyFile, "", ""); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("a key as CA: %v", err)
		}
	})
}
