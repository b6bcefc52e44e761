// PEM keys made once with the openssl command line, for the key tests.
#pragma once

namespace immudb::crypto::test_keys {

// openssl ecparam -name prime256v1 -genkey -noout
inline constexpr const char* kP256Sec1 = R"(-----BEGIN EC PRIVATE KEY-----
MHcCAQEEINfnHbUyhdFcx61KVQQYorqXI/DNugFPNNDiId/U0bCroAoGCCqGSM49
AwEHoUQDQgAEz3otgR69wfsclC5W5HAl1ENnoz5xoN1mT0GvrPEphuX1/UCD68bF
1jcwYo1zRYMvdEJ3hTeLW5uMOv09vZD45g==
-----END EC PRIVATE KEY-----
)";
// openssl ec -in <kP256Sec1> -pubout
inline constexpr const char* kP256Public = R"(-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEz3otgR69wfsclC5W5HAl1ENnoz5x
oN1mT0GvrPEphuX1/UCD68bF1jcwYo1zRYMvdEJ3hTeLW5uMOv09vZD45g==
-----END PUBLIC KEY-----
)";
// The same key's uncompressed point, and `openssl dgst -sha256 -sign` of
// "immudb state payload" with it.
inline constexpr const char* kP256PointHex =
    "04cf7a2d811ebdc1fb1c942e56e47025d44367a33e71a0dd664f41afacf12986e5f5fd4083ebc6c5d63730628d"
    "7345832f74427785378b5b9b8c3afd3dbd90f8e6";
inline constexpr const char* kP256OpensslSignatureHex =
    "304502204f0a988ef50c620ebf8de39462aec0ae86eba9161ddb510d096799883c0d7b6d02210092a0158f6cee"
    "8ef236363e8efd44fabbc625192f97d514385debd0f1b12f08ab";

// openssl ecparam -name secp384r1 -genkey -noout
inline constexpr const char* kP384Sec1 = R"(-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDApvrHNRCe9VME0D3/sXsuUS9iPztOIEkx/GuAk3BX3mu+FQ8Bma82S
KsrVWsGWMKSgBwYFK4EEACKhZANiAARal3z6WzgaMFTuVlGKvb+Ag/r0hMEGO1lo
rI30N06KIHQr7uaL/fTdHdMrAhu6nUFnjF0nIXwqh+2mEesmc23Ppawe6mcHNSFO
x+2Kk9b9xen9yxd6PYWCjXkxaNY4ePw=
-----END EC PRIVATE KEY-----
)";
// openssl ecparam -name secp256k1 -genkey -noout, and its -pubout
inline constexpr const char* kSecp256k1Sec1 = R"(-----BEGIN EC PRIVATE KEY-----
MHQCAQEEIEzpqiItTjI8lFVZX4diDfDoxTFVswX16uglmdGGBHguoAcGBSuBBAAK
oUQDQgAEH0EcIOfEoRm/X/vvd8EO7IcLgWKpQTdzkwDGdkithUOJQSXnA90w4h6B
/PNjz4rCdaLPBcwl0oG07ZqdN5IMSQ==
-----END EC PRIVATE KEY-----
)";
inline constexpr const char* kSecp256k1Public = R"(-----BEGIN PUBLIC KEY-----
MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEH0EcIOfEoRm/X/vvd8EO7IcLgWKpQTdz
kwDGdkithUOJQSXnA90w4h6B/PNjz4rCdaLPBcwl0oG07ZqdN5IMSQ==
-----END PUBLIC KEY-----
)";
// openssl genpkey -algorithm ED25519
inline constexpr const char* kEd25519 = R"(-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIGVCECtWYaLx9iT7USa9/ErnpTWbseC1gug1GgTfjpY1
-----END PRIVATE KEY-----
)";
// openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024
inline constexpr const char* kRsa1024 = R"(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAL+sZxMADtXec1Ki
XGCO9wTLgiL6xeonu5IchotG+E4wBwhQAqtX1yHDUXaffsuSo7y8TJpm+yXzYyuf
8WrhlTwhrV91LsGv988iafZVlburyTM/ElbCwU/olb6NxbTeMBYdEVitnjhN9Hc3
mOb1MKwOnpWw/P6nlO1m2RCxP9WtAgMBAAECgYEAvbtB2MwA43GsxEqVmLtMB8IP
UuLbkLq98JcuE6Yv2u2tuGvDCKsN+IzoEb01/Ptt+0CFr31q9BklvKQ5jGw6lLGm
eKzHV6vwFEl0I3qVASsqd2TSaKCrk+aIw+753hZOdnIyoPnTSMab3vd/r9UjzktI
Nm4DpJcQ7yk+R/vpk70CQQDjv6DBoWIiHQHIeVEe6DDF8tnrpVFSm0pmo6tckafR
i+MqHn+g/EpMYSQGYcptoOHoJ7rbNT0kMToYItKbKxk/AkEA13Ms8M39c4DODDXp
rEGRgss06NMjdM/k4VVzFtHr2HmLuzhyH53VzP6AL16tq6COIvM/R7CxLV9n9WR6
GU+KEwJAMmcuhKvatAIHav6uXVC1uplMcUJdBRMpHB4MxqfVpCJ5W9D0HgS3zL+S
4Xay/iAk3uQsDmdx6JicassKIR0gsQJAcOT8Ro5Z4b07uvBBKq8M9XFPnzSL3rjV
ITIqZWnIYJ2IF6mDO4f0MT+moavF6yntcOjvXrx6iuD0U4S76ilgmwJAZNkeNUpV
hoHLAaR/5F7Jfk0gvCAOxARdXY6ri/c8gg/zoEuV9haYSDgF9kElwEsqs7y+DIk7
2OQHxtql9DqJ8g==
-----END PRIVATE KEY-----
)";

// openssl req -x509 -new -key <key> -subj /CN=... for the Ed25519, P-256 and secp256k1 keys.
inline constexpr const char* kEd25519Cert = R"(-----BEGIN CERTIFICATE-----
MIIBMDCB46ADAgECAhRy7UF6XFltUUalFrRWJFX74i4xITAFBgMrZXAwDTELMAkG
A1UEAwwCZWQwIBcNMjYxMTI2MTY0MTM3WhgPMjEyNjExMDIxNjQxMzdaMA0xCzAJ
BgNVBAMMAmVkMCowBQYDK2VwAyEAIpyaBukGN3HEMuv7nmgzZhE5Atz6tpojLepQ
YnRFtE+jUzBRMB0GA1UdDgQWBBTkB1kR96XQyDp6lKsrFtTiX0twJDAfBgNVHSME
GDAWgBTkB1kR96XQyDp6lKsrFtTiX0twJDAPBgNVHRMBAf8EBTADAQH/MAUGAytl
cANBAHZWc6lQeldB4m0HG700N3y+8w6z+jK/9qkZfyieXb+VGuYM2QJXp2/AMclS
sCPq/9Eo2mUA+V0GHiqL0kOfPQ4=
-----END CERTIFICATE-----
)";
inline constexpr const char* kP256Cert = R"(-----BEGIN CERTIFICATE-----
MIIBdTCCARugAwIBAgIUdc/MKpGmKOYc0NbLNQKPdWmZRT8wCgYIKoZIzj0EAwIw
DzENMAsGA1UEAwwEcDI1NjAgFw0yNjExMjYxNjQxMzdaGA8yMTI2MTEwMjE2NDEz
N1owDzENMAsGA1UEAwwEcDI1NjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABM96
LYEevcH7HJQuVuRwJdRDZ6M+caDdZk9Br6zxKYbl9f1Ag+vGxdY3MGKNc0WDL3RC
d4U3i1ubjDr9Pb2Q+OajUzBRMB0GA1UdDgQWBBT2A+wgWHfs10bREtsG+KTO/FWC
1TAfBgNVHSMEGDAWgBT2A+wgWHfs10bREtsG+KTO/FWC1TAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0gAMEUCIQDkE6T9dRDeRGrRKWmAqXcftnklcfYAiiOs
mQ+xF+EnrgIgFG0qzMqXx9DN8EMRy7f8bi0uM7Fo3tk5ZuezFJQEYSs=
-----END CERTIFICATE-----
)";
inline constexpr const char* kSecp256k1Cert = R"(-----BEGIN CERTIFICATE-----
MIIBbjCCARSgAwIBAgIUUNZV5yUx03Q+igM3Pi9jt4oRca8wCgYIKoZIzj0EAwIw
DTELMAkGA1UEAwwCazEwIBcNMjYxMTI2MTY0MTM3WhgPMjEyNjExMDIxNjQxMzda
MA0xCzAJBgNVBAMMAmsxMFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEH0EcIOfEoRm/
X/vvd8EO7IcLgWKpQTdzkwDGdkithUOJQSXnA90w4h6B/PNjz4rCdaLPBcwl0oG0
7ZqdN5IMSaNTMFEwHQYDVR0OBBYEFIuFvAxmsjpvBD4ItsPayctMGoymMB8GA1Ud
IwQYMBaAFIuFvAxmsjpvBD4ItsPayctMGoymMA8GA1UdEwEB/wQFMAMBAf8wCgYI
KoZIzj0EAwIDSAAwRQIhAPuO8MMeFDyQ6fpnkgQ9FWaydgwnDtDxf5h/65gZGLMJ
AiBWsl1caom4S1XY6llTLj3DSRrMReN+j+7X/GtHYwVHpg==
-----END CERTIFICATE-----
)";

}  // namespace immudb::crypto::test_keys
