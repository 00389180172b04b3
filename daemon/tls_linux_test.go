package daemon

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/container-runtime/container-runtime/errdefs"
)

// testCert is a certificate and its key.
type testCert struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

// newCert makes a certificate signed by parent (self-signed when nil).
func newCert(t testing.TB, name string, parent *testCert, isCA bool) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
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
	return &testCert{cert: cert, der: der, key: key}
}

// write stores the certificate and key as PEM files in dir.
func (c *testCert) write(t testing.TB, dir, name string) (certFile, keyFile string) {
	t.Helper()
	keyDER, err := x509.MarshalECPrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func (c *testCert) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{c.der}, PrivateKey: c.key}
}

func TestListenTLSRequiresClientCertificates(t *testing.T) {
	dir := t.TempDir()
	ca := newCert(t, "ca", nil, true)
	caFile, _ := ca.write(t, dir, "ca")
	certFile, keyFile := newCert(t, "daemon", ca, false).write(t, dir, "server")
	good := newCert(t, "client", ca, false)
	rogue := newCert(t, "rogue", nil, false)

	l, err := ListenTLS("127.0.0.1:0", TLSFiles{Cert: certFile, Key: keyFile, CA: caFile})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Containers: &fakeContainers{}, Images: &fakeImages{}})
	go srv.Serve(l)
	t.Cleanup(func() { srv.Shutdown(t.Context()) })

	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	tests := []struct {
		name   string
		certs  []tls.Certificate
		wantOK bool
	}{
		{"no client certificate", nil, false},
		{"certificate of another CA", []tls.Certificate{rogue.tls()}, false},
		{"certificate of the CA", []tls.Certificate{good.tls()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := &http.Client{Transport: &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: tt.certs},
			}}
			resp, err := client.Get("https://" + l.Addr().String() + "/v1/_ping")
			if !tt.wantOK {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("served without a valid client certificate: %d", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
		})
	}
}

func TestListenTLSRefusesPlainTCP(t *testing.T) {
	for _, files := range []TLSFiles{{}, {Cert: "c.pem", Key: "k.pem"}} {
		_, err := ListenTLS("127.0.0.1:0", files)
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), "plain TCP is refused") {
			t.Fatalf("%+v: %v, want a refusal", files, err)
		}
	}
}
